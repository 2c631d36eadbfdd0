#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>
#include <dnnl.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
  int M=atoi(argv[1]),N=atoi(argv[2]),K=atoi(argv[3]); int reps=atoi(argv[4]);
  float*A=malloc(4L*M*K),*B=malloc(4L*K*N),*C=malloc(4L*M*N);
  for(long i=0;i<(long)M*K;i++)A[i]=i%7*0.1f; for(long i=0;i<(long)K*N;i++)B[i]=i%5*0.1f;
  openblas_set_num_threads(1);
  double best1=1e9,best2=1e9;
  for(int r=0;r<5;r++){double t=now();for(int i=0;i<reps;i++)cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,M,N,K,1,A,K,B,N,0,C,N);t=now()-t;if(t<best1)best1=t;
   t=now();for(int i=0;i<reps;i++)dnnl_sgemm('N','N',M,N,K,1,A,K,B,N,0,C,N);t=now()-t;if(t<best2)best2=t;}
  double fl=2.0*M*N*K*reps;
  printf("%dx%dx%d openblas %.1f GFLOP/s  dnnl %.1f GFLOP/s\n",M,N,K,fl/best1/1e9,fl/best2/1e9);
}

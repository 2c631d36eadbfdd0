#!/usr/bin/env python3
"""Real-browser test of Numeral's web page: Debian's chromium driven by selenium.

Starts `numeral serve` on a free port, draws a multi-digit number on the canvas with mouse
strokes (pointer events, as a person would), presses "Read the drawing", and expects the
number on the page; then sends a correction and expects it stored. Saves a screenshot of
the page after reading to docs/screenshot.png (or $SCREENSHOT).

    tests/browser/run.sh          # builds if needed, then runs this
    NUMERAL_BIN=.build/debug/numeral python3 tests/browser/test_draw.py
"""
import math, os, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("NUMERAL_BIN", str(ROOT / ".build/release/numeral"))
SCREENSHOT = Path(os.environ.get("SCREENSHOT", ROOT / "docs/screenshot.png"))
CANVAS = (840, 360)       # the drawing canvas's own pixel size (index.html)


def digit_strokes(digit, left, top=60, width=140, height=240):
    """Polylines for one handwritten-looking digit in canvas pixels."""
    x = lambda f: left + f * width
    y = lambda f: top + f * height
    if digit == "1":
        return [[(x(0.35), y(0.12)), (x(0.55), y(0.0)), (x(0.55), y(1.0))]]
    if digit == "4":
        return [[(x(0.55), y(0.0)), (x(0.05), y(0.62)), (x(0.95), y(0.62))],
                [(x(0.68), y(0.25)), (x(0.68), y(1.0))]]
    if digit == "7":
        return [[(x(0.05), y(0.03)), (x(0.95), y(0.03)), (x(0.62), y(0.5)), (x(0.42), y(1.0))]]
    if digit == "0":
        return [[(x(0.5 + 0.42 * math.sin(t / 24 * 2 * math.pi)), y(0.5 - 0.49 * math.cos(t / 24 * 2 * math.pi)))
                 for t in range(25)]]
    raise ValueError(digit)


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    return port


def start_server(database):
    port = free_port()
    log = open(tempfile.mktemp(prefix="numeral-serve-", suffix=".log"), "w")
    server = subprocess.Popen([BINARY, "serve", "--port", str(port), "--database", database,
                               "--public", str(ROOT / "Public")], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return server, url, log.name
        except OSError:
            if server.poll() is not None:
                sys.exit(f"numeral serve exited with {server.returncode}; see {log.name}")
            time.sleep(0.1)
    sys.exit(f"numeral serve did not answer /healthz; see {log.name}")


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=900,1900",
                 "--force-device-scale-factor=1"]:
        options.add_argument(flag)
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def draw(driver, canvas, number):
    """Mouse strokes over the canvas; ActionChains offsets are from the element's centre."""
    width, height = canvas.size["width"], canvas.size["height"]
    to_css = lambda p: (round(p[0] * width / CANVAS[0] - width / 2), round(p[1] * height / CANVAS[1] - height / 2))
    left = (CANVAS[0] - 190 * len(number)) / 2 + 25
    for k, digit in enumerate(number):
        for stroke in digit_strokes(digit, left + 190 * k):
            points = []
            for a, b in zip(stroke, stroke[1:]):        # a point every ~10 px, like a real pointer
                steps = max(1, int(math.dist(a, b) / 10))
                points += [(a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps) for i in range(steps)]
            points.append(stroke[-1])
            actions = ActionChains(driver, duration=0)
            actions.move_to_element_with_offset(canvas, *to_css(points[0])).click_and_hold()
            for p in points[1:]:
                actions.move_to_element_with_offset(canvas, *to_css(p))
            actions.release().perform()


def main():
    number = os.environ.get("NUMBER", "1407")
    database = tempfile.mktemp(suffix=".sqlite")
    server, url, log = start_server(database)
    driver = browser()
    failures = []
    try:
        driver.get(url + "/")
        wait = WebDriverWait(driver, 30)
        wait.until(lambda d: "loading" not in d.find_element(By.ID, "model").text)
        canvas = driver.find_element(By.ID, "pad")
        draw(driver, canvas, number)
        driver.find_element(By.ID, "read").click()
        wait.until(lambda d: d.find_element(By.ID, "number").text.strip() not in ("",))
        read = driver.find_element(By.ID, "number").text.strip()
        rows = driver.find_elements(By.CSS_SELECTOR, "#digits tbody tr")
        print(f"drew {number}, the page shows {read!r} with {len(rows)} digit rows; "
              f"{driver.find_element(By.ID, 'confidence').text}")
        if read != number:
            failures.append(f"expected {number}, the page shows {read!r}")
        if len(rows) != len(number):
            failures.append(f"expected {len(number)} rows in the digit table, found {len(rows)}")
        driver.execute_script("document.getElementById('result').scrollIntoView()")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(SCREENSHOT))
        print(f"screenshot: {SCREENSHOT}")

        # The correction box posts to /v1/feedback.
        field = driver.find_element(By.ID, "correct-text")
        field.clear()
        field.send_keys(number)
        driver.find_element(By.CSS_SELECTOR, "#correct button[type=submit]").click()
        wait.until(lambda d: "saved" in d.find_element(By.ID, "correct-status").text.lower())
        status = driver.find_element(By.ID, "correct-status").text
        print(f"feedback: {status}")
        if "correction #1" not in status:
            failures.append(f"feedback not stored: {status!r}")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        if errors:
            failures.append(f"browser console errors: {errors}")
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=30)
    for failure in failures:
        print("FAIL", failure)
    print("PASS" if not failures else f"FAIL (server log: {log})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

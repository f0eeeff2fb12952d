"""The labeling page in a real browser: headless Chromium driven by Selenium through /usr/bin/chromedriver."""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from test_review_server import TEXTS, Annotator, make_queue

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
pytestmark = pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)),
                                reason=f"needs Chromium and chromedriver ({CHROMIUM}, {DRIVER}): "
                                       "apt-get install chromium chromium-driver")
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install '.[test]')")


@pytest.fixture
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-")
    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_labeling_five_closings_with_the_keyboard(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    queue, out = make_queue(tmp_path / "queue.jsonl"), tmp_path / "labels.jsonl"
    a = Annotator(queue, out)
    try:
        browser.get(f"http://127.0.0.1:{a.port}/")
        wait = WebDriverWait(browser, 20)
        wait.until(lambda d: d.find_element(By.ID, "text").text == TEXTS[0])
        assert browser.find_element(By.CSS_SELECTOR, "#text mark").text == "I'd"  # the evidence is marked
        assert "ambiguous" in browser.find_element(By.ID, "guess").text
        assert "Recruiter: Any questions for us?" in browser.find_element(By.ID, "context").text
        keys = ["1", "2", "3", "s", "u", "2", "1"]  # a skip taken back: five answers stand
        ActionChains(browser).send_keys(*keys).perform()
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-done") == "5")
        wait.until(lambda d: d.find_element(By.ID, "text").text == TEXTS[5])
        assert "5 of 6 answered" in browser.find_element(By.ID, "progress").text
        width = browser.execute_script("return document.getElementById('fill').style.width")
        assert width.startswith("83.3")
    finally:
        a.stop()
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    labels = [e for e in lines if e["event"] == "label"]
    assert [(e["text"], e["label"]) for e in labels] == list(zip(TEXTS, ["interest", "ambiguous", "disinterest",
                                                                          "ambiguous", "interest"]))
    assert len(lines) == 7  # five labels, the skip and its undo: nothing rewritten


def test_five_keys_give_five_lines(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    queue, out = make_queue(tmp_path / "queue.jsonl"), tmp_path / "labels.jsonl"
    a = Annotator(queue, out)
    try:
        browser.get(f"http://127.0.0.1:{a.port}/")
        WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "text").text == TEXTS[0])
        ActionChains(browser).send_keys("3", "3", "1", "2", "1").perform()
        WebDriverWait(browser, 20).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-done") == "5")
    finally:
        a.stop()
    assert [json.loads(x)["label"] for x in out.read_text().splitlines()] == ["disinterest", "disinterest", "interest",
                                                                            "ambiguous", "interest"]

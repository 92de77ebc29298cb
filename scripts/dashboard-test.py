#!/usr/bin/env python3
"""The dashboard in a real browser: headless Chromium (Debian's chromium and chromium-driver)
driven by selenium, against a running `bulkhead serve`.

It signs in through the form, opens every page, searches the tenants table, sends the onboarding
form once with mistakes and once right, then finds the new tenant in the table, on its page and
in the GitOps repository. A PNG screenshot of every page is written to --screenshots.

  python3 scripts/dashboard-test.py --url http://127.0.0.1:8080 --token bh_... \
      --repo /tmp/gitops [--screenshots out/screenshots]
"""
import argparse
import pathlib
import sys

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

passed = 0
failed = 0


def check(condition, what):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok    {what}")
    else:
        failed += 1
        print(f"FAIL  {what}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8080")
    parser.add_argument("--token", required=True, help="a platform-admin token's secret")
    parser.add_argument("--repo", required=True, help="the server's GitOps repository")
    parser.add_argument("--screenshots", default="out/screenshots", help="folder for the PNGs")
    parser.add_argument("--tenant", default="browser-shop", help="name of the tenant to onboard")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()

    shots = pathlib.Path(args.screenshots).resolve()
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()

    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                 "--force-device-scale-factor=1", "--lang=en-US"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
    driver.set_page_load_timeout(60)
    count = 0

    def shot(name):
        """The whole page, not only the window, as NN-name.png."""
        nonlocal count
        count += 1
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        height = min(int(size["height"]) + 1, 8000)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 1280, "height": max(height, 600), "deviceScaleFactor": 1, "mobile": False})
        path = shots / f"{count:02d}-{name}.png"
        driver.save_screenshot(str(path))
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        return path

    def follow(element):
        """Clicks a link or a submit button and waits until the next page has replaced this one
        (a create takes a second or two: render, gate, commits)."""
        old = driver.find_element(By.TAG_NAME, "html")
        element.click()

        def replaced(_):
            try:
                old.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as error:
                # Mid-navigation, Chromium may report the old page's node this way instead.
                if "does not belong to the document" in str(error):
                    return True
                raise

        WebDriverWait(driver, 120).until(replaced)
        WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def page_is_sound(what):
        """Every page: lang, one main, an h1, no script, a label for every visible input."""
        source = driver.page_source
        check("<script" not in source.lower(), f"{what}: no JavaScript")
        check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", f"{what}: lang attribute")
        check(len(driver.find_elements(By.TAG_NAME, "main")) == 1 and len(driver.find_elements(By.TAG_NAME, "h1")) == 1,
              f"{what}: one <main> and one <h1>")
        unlabelled = []
        for field in driver.find_elements(By.CSS_SELECTOR, "input, select, textarea"):
            if field.get_attribute("type") == "hidden":
                continue
            ident = field.get_attribute("id")
            if not ident or not driver.find_elements(By.CSS_SELECTOR, f'label[for="{ident}"]'):
                unlabelled.append(field.get_attribute("name"))
        check(not unlabelled, f"{what}: every input has a <label for> {unlabelled or ''}")

    try:
        base = args.url.rstrip("/")
        driver.get(base + "/ui")
        check(driver.current_url.endswith("/ui/login"), "signed out: /ui sends the browser to /ui/login")
        page_is_sound("sign-in page")
        shot("login")

        driver.find_element(By.ID, "token").send_keys("bh_" + "x" * 43)
        follow(driver.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
        check("That token is not valid." in driver.find_element(By.TAG_NAME, "main").text, "a wrong token is refused with a message")
        shot("login-refused")

        driver.find_element(By.ID, "token").send_keys(args.token)
        follow(driver.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
        check(driver.current_url.endswith("/ui"), "signing in opens the fleet overview")
        check(driver.find_element(By.TAG_NAME, "h1").text == "Fleet", "fleet overview heading")
        meters = driver.find_elements(By.TAG_NAME, "meter")
        check(len(meters) >= 3 and all(m.get_attribute("value") is not None for m in meters), f"capacity meters ({len(meters)})")
        headings = [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
        check(headings[:4] == ["sandbox", "dev", "staging", "prod"], f"clusters grouped by environment: {headings}")
        page_is_sound("fleet overview")
        shot("fleet")

        follow(driver.find_element(By.LINK_TEXT, "Tenants"))
        check(driver.find_element(By.TAG_NAME, "h1").text == "Tenants", "tenants table opens from the navigation")
        rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
        check(len(rows) >= 14, f"every tenant listed ({len(rows)})")
        page_is_sound("tenants table")
        shot("tenants")

        driver.find_element(By.ID, "q").send_keys("pay")
        Select(driver.find_element(By.ID, "filter-environment")).select_by_value("prod")
        follow(driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
        names = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "tbody th a")]
        check("payments" in names and "web" not in names, f"search and filter: {names}")
        shot("tenants-search")

        follow(driver.find_element(By.LINK_TEXT, "payments"))
        body = driver.find_element(By.TAG_NAME, "main").text
        check(driver.find_element(By.TAG_NAME, "h1").text == "Tenant payments", "tenant page opens from the table")
        for section in ["Placement", "Quota", "Apps", "Buckets", "Recent audit records"]:
            check(section in body, f"tenant page shows {section}")
        page_is_sound("tenant page")
        shot("tenant-payments")

        follow(driver.find_element(By.LINK_TEXT, "Onboard a tenant"))
        check(driver.find_element(By.TAG_NAME, "h1").text == "Onboard a tenant", "onboarding form opens from the navigation")
        page_is_sound("onboarding form")
        shot("onboard")

        # With mistakes: no team, no data classification.
        driver.find_element(By.ID, "f-name").send_keys(args.tenant)
        Select(driver.find_element(By.ID, "f-tier")).select_by_value("basic")
        driver.find_element(By.ID, "f-costCenter").send_keys("CC-7001")
        driver.find_element(By.ID, "f-owners").send_keys("shop-admins")
        driver.find_element(By.ID, "f-environments-dev").click()
        driver.find_element(By.ID, "f-apps").send_keys("api:8080")
        follow(driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        check("problem" in driver.find_element(By.ID, "problems-heading").text, "a refused form says what to fix")
        team = driver.find_element(By.ID, "f-team")
        described = (team.get_attribute("aria-describedby") or "").split()
        errors = [driver.find_element(By.ID, ident).text for ident in described if "error" in ident]
        check(team.get_attribute("aria-invalid") == "true" and any("team" in e for e in errors),
              f"the missing team is reported beside its field: {errors}")
        check(driver.find_element(By.ID, "f-name").get_attribute("value") == args.tenant
              and driver.find_element(By.ID, "f-environments-dev").is_selected()
              and driver.find_element(By.ID, "f-apps").get_attribute("value") == "api:8080", "the input is kept")
        page_is_sound("refused onboarding form")
        shot("onboard-refused")

        driver.find_element(By.ID, "f-team").send_keys("shop")
        Select(driver.find_element(By.ID, "f-dataClassification")).select_by_value("internal")
        follow(driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        check(driver.current_url.split("?")[0].endswith(f"/ui/tenants/{args.tenant}"), "onboarding opens the new tenant's page")
        body = driver.find_element(By.TAG_NAME, "main").text
        check(f"Tenant {args.tenant} was onboarded" in body, "the tenant page confirms the onboarding")
        check("tenant.create" in body, "its audit record is listed")
        page_is_sound("new tenant's page")
        shot("tenant-onboarded")

        follow(driver.find_element(By.LINK_TEXT, "Tenants"))
        names = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "tbody th a")]
        check(args.tenant in names, "the new tenant is in the tenants table")
        shot("tenants-after")

        follow(driver.find_element(By.LINK_TEXT, "Audit trail"))
        check(driver.find_element(By.TAG_NAME, "h1").text == "Audit trail", "audit trail opens from the navigation")
        rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr")]
        check(any("tenant.create" in r and args.tenant in r for r in rows), "the onboarding is in the audit trail")
        page_is_sound("audit trail")
        shot("audit")

        folders = sorted(pathlib.Path(args.repo).glob(f"clusters/*/tenants/{args.tenant}"))
        check(bool(folders), f"the GitOps repository has the tenant's folder: {[str(f) for f in folders]}")

        follow(driver.find_element(By.CSS_SELECTOR, "form.signed-in button"))
        check(driver.current_url.endswith("/ui/login"), "logging out returns to the sign-in page")
        driver.get(base + "/ui/tenants")
        check(driver.current_url.endswith("/ui/login"), "after logging out, pages need a new sign-in")
    finally:
        driver.quit()

    print(f"screenshots: {shots}")
    print(f"dashboard browser test: {passed} passed, {failed} failed; {count} screenshots in {shots}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Automation.Console.Tests;

/// <summary>
/// The marketer console end to end: Debian's Chromium, driven by Playwright, against the real server on loopback.
/// Every page visited is kept as a screenshot under artifacts/console/ and attached to the test.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class ConsoleBrowserTests : ConsoleBrowserFixture
{
    protected override Task<ConsoleServer> StartServerAsync() => ConsoleServer.StartAsync();

    [Test]
    public async Task A_page_needs_a_login_and_a_wrong_password_fails()
    {
        var page = await NewPageAsync();
        await page.GotoAsync($"{Server.Url}/console/journeys");
        page.Url.Should().StartWith($"{Server.Url}/console/login");
        await page.FillAsync("#name", ConsoleServer.UserName);
        await page.FillAsync("#password", "not-the-password");
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"), r => r.Url.Contains("/console/login"));
        response.Status.Should().Be(401);
        (await page.TextContentAsync("[role=alert]")).Should().Contain("Wrong name or password");
        await ScreenshotAsync(page, "login-failed");

        await page.FillAsync("#password", ConsoleServer.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync($"{Server.Url}/console/journeys");
        (await page.TextContentAsync("h1")).Should().Be("Journeys");

        await page.ClickAsync("text=Log out");
        await page.WaitForURLAsync(new Regex("/console/login"));
        await page.GotoAsync($"{Server.Url}/console/customers");
        page.Url.Should().StartWith($"{Server.Url}/console/login");
    }

    [Test]
    public async Task The_journeys_page_shows_a_broken_file_with_its_error_at_file_and_line()
    {
        var page = await LoggedInPageAsync();
        await page.GotoAsync($"{Server.Url}/console/journeys");
        var birthday = page.Locator("article", new() { Has = page.Locator("h2", new() { HasTextString = "birthday" }) });
        (await birthday.TextContentAsync()).Should().MatchRegex(@"rules/birthday\.json:\d+").And.Contain("not running");
        var winBack = page.Locator("article", new() { Has = page.Locator("h2", new() { HasTextString = "win-back" }) });
        (await winBack.TextContentAsync()).Should().Contain("scan: daily").And.NotContain("1.00:00:00");
        await ScreenshotAsync(page, "journeys");

        // A file that turns bad while the server runs keeps its last good version running.
        ConsoleServer.BreakJourney(Path.Combine(Server.Root.FullName, "rules", "member-day.json"));
        var memberDay = page.Locator("article", new() { Has = page.Locator("h2", new() { HasTextString = "member-day" }) });
        for (var attempt = 0; attempt < 40 && !((await memberDay.TextContentAsync()) ?? "").Contains("running last good version"); attempt++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }
        (await memberDay.TextContentAsync()).Should().Contain("running last good version").And.MatchRegex(@"rules/member-day\.json:\d+");

        await page.ClickAsync("a[href='/console/journeys/birthday']");
        (await page.TextContentAsync("main")).Should().MatchRegex(@"rules/birthday\.json:\d+");
        await page.GotoAsync($"{Server.Url}/console/journeys/cart-recovery");
        (await page.TextContentAsync("main")).Should().Contain("reminder");
        (await page.Locator("#journey-funnel svg").CountAsync()).Should().Be(1);
        await ScreenshotAsync(page, "journey");
    }

    [Test]
    public async Task A_customer_is_found_by_email_and_by_phone()
    {
        var page = await LoggedInPageAsync();
        foreach (var term in new[] { ConsoleServer.KnownEmail, ConsoleServer.KnownPhone })
        {
            await page.GotoAsync($"{Server.Url}/console/customers");
            await page.FillAsync("#q", term);
            await page.PressAsync("#q", "Enter");
            await page.WaitForURLAsync(new Regex("q="));
            (await page.TextContentAsync("main h2")).Should().Be("Ann Console");
            var main = await page.TextContentAsync("main");
            main.Should().Contain(ConsoleServer.KnownId).And.Contain("Product Added").And.Contain("entered cart-recovery");
            // An event reads as fields, not JSON with its escapes.
            (await page.TextContentAsync("tr.kind-event dl.fields")).Should().Contain("product_id").And.Contain("tea-100g").And.NotContain("{\"");
            // Points with their money value and the way to the first tier (the customer has not ordered yet).
            var loyalty = await page.Locator("#loyalty").InnerTextAsync();
            loyalty.Should().Contain("0 points, worth $0.00").And.Contain("none yet").And.Contain("Member: a first order");
        }
        await ScreenshotAsync(page, "customer");
    }

    [Test]
    public async Task A_step_is_previewed_in_a_sandboxed_frame_with_its_subject_and_text()
    {
        var page = await LoggedInPageAsync();
        await page.GotoAsync($"{Server.Url}/console/preview");
        await page.SelectOptionAsync("#step", "cart-recovery|reminder");
        await page.FillAsync("#customerId", ConsoleServer.KnownId);
        await page.ClickAsync("main button[type=submit]");
        var frame = page.Locator("iframe.email");
        (await frame.GetAttributeAsync("sandbox")).Should().Be("");
        (await page.TextContentAsync(".subject")).Should().NotBeNullOrWhiteSpace();
        (await page.TextContentAsync(".text-part")).Should().Contain("Green tea");
        await ScreenshotAsync(page, "preview");
    }

    [Test]
    public async Task A_simulation_shows_its_timeline()
    {
        var page = await LoggedInPageAsync();
        await page.GotoAsync($"{Server.Url}/console/simulate");
        await page.SelectOptionAsync("#journey", "cart-recovery");
        await page.ClickAsync("main button[type=submit]");
        var timeline = await page.TextContentAsync("pre.timeline");
        timeline.Should().Contain("cart-recovery: simulated 3 day(s)").And.Contain("+0h enter").And.Contain("send email cart-recovery/reminder");
        await ScreenshotAsync(page, "simulate");
    }

    [Test]
    public async Task The_analytics_page_draws_charts()
    {
        var page = await LoggedInPageAsync();
        await page.GotoAsync($"{Server.Url}/console/analytics");
        // Nine charts; the seeded shop's orders draw the four repurchase ones, the returning share and repurchase by
        // tier. Nothing is sent in this test server, so journey lift may have no data and say so instead.
        (await page.Locator("main figure.chart").CountAsync()).Should().Be(9);
        (await page.Locator("main figure.chart svg").CountAsync()).Should().BeGreaterThanOrEqualTo(6);
        (await page.Locator("#repurchase-rate svg, #order-intervals svg, #cohort-retention svg, #ltv-by-cohort svg").CountAsync()).Should().Be(4);
        (await page.Locator("#returning-share svg, #repurchase-by-tier svg").CountAsync()).Should().Be(2);
        (await page.Locator("#loyalty").TextContentAsync()).Should().Be("Loyalty");
        (await page.Locator("#returning-share table th").AllTextContentsAsync()).Should().Contain("Target");
        await ScreenshotAsync(page, "analytics");
    }

    [Test]
    public async Task The_coupons_page_lists_the_campaigns_with_their_figures_and_charts()
    {
        var page = await LoggedInPageAsync();
        await page.ClickAsync("nav >> text=Coupons");
        await page.WaitForURLAsync($"{Server.Url}/console/coupons");
        (await page.TextContentAsync("h1")).Should().Be("Coupons");
        var memberDay = page.Locator("article", new() { Has = page.Locator("h2", new() { HasTextString = "member-day" }) });
        (await memberDay.TextContentAsync()).Should().Contain("each code good for 1 day(s)").And.Contain("Issued").And.Contain("Redeemed");
        (await page.Locator("main article.card").CountAsync()).Should().Be(Directory.GetFiles(Path.Combine(Server.Root.FullName, "rules", "coupons"), "*.json").Length);
        // The seeded shop's journeys issue no code on the day of seeding: the charts say so rather than draw zeros.
        (await page.Locator("#coupons-issued").TextContentAsync()).Should().Contain("No data for this period");
        (await page.Locator("main figure.chart").CountAsync()).Should().Be(2);
        await ScreenshotAsync(page, "coupons");
    }

    [Test]
    public async Task Every_page_fits_a_phone_without_horizontal_scrolling()
    {
        var page = await LoggedInPageAsync(new ViewportSize { Width = 390, Height = 844 });
        foreach (var path in new[] { "journeys", "journeys/cart-recovery", $"customers?q={ConsoleServer.KnownId}", "preview", "simulate", "analytics", "coupons", "segments", "broadcasts", "broadcasts/new" })
        {
            await page.GotoAsync($"{Server.Url}/console/{path}");
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            overflow.Should().BeLessThanOrEqualTo(0, $"/console/{path} must not scroll sideways on a 390 px screen");
            await ScreenshotAsync(page, "phone-" + Regex.Replace(path, "[^a-z]+", "-"));
        }
    }

    [Test]
    public async Task The_keyboard_reaches_the_main_navigation_and_the_search_form()
    {
        var page = await LoggedInPageAsync();
        await page.GotoAsync($"{Server.Url}/console/customers");
        var reached = new List<string>();
        for (var i = 0; i < 15; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached.Add(await page.EvaluateAsync<string>("() => { const e = document.activeElement; return e.id || e.getAttribute('href') || e.textContent.trim(); }"));
        }
        reached.Should().Contain(["/console/journeys", "/console/customers", "/console/analytics", "q"]);
        await page.FocusAsync("#q");
        await page.Keyboard.TypeAsync(ConsoleServer.KnownEmail);
        await page.Keyboard.PressAsync("Enter");
        // The URL changes when the answer starts; the heading is awaited until it is there.
        await page.WaitForURLAsync(new Regex("q="), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.Locator("main h2").First).ToHaveTextAsync("Ann Console");
    }
}

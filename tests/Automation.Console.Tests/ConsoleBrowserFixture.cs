using Automation.Tests.Support;
using Microsoft.Playwright;

namespace Automation.Console.Tests;

/// <summary>
/// What every browser test class of the console shares: Debian's Chromium driven by Playwright against a
/// <see cref="ConsoleServer"/> the class starts, signed-in pages, and screenshots kept under artifacts/console/.
/// </summary>
public abstract class ConsoleBrowserFixture
{
    private const string Chromium = "/usr/bin/chromium";

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    /// <summary>The server of this class, started once for its tests.</summary>
    protected ConsoleServer Server { get; private set; } = null!;

    /// <summary>Starts the server the class's tests run against.</summary>
    protected abstract Task<ConsoleServer> StartServerAsync();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (!File.Exists(Chromium))
        {
            const string why = $"The console's browser tests need Chromium at {Chromium} (scripts/test.sh installs Debian's chromium as root).";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(why);
            Assert.Ignore(why);
        }
        Server = await StartServerAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }

    protected async Task<IPage> NewPageAsync(ViewportSize? viewport = null)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 } });
        return await context.NewPageAsync();
    }

    /// <summary>A page signed in as <paramref name="user"/> (the server's admin unless another is named).</summary>
    protected async Task<IPage> LoggedInPageAsync(ViewportSize? viewport = null, string user = ConsoleServer.UserName)
    {
        var page = await NewPageAsync(viewport);
        await page.GotoAsync($"{Server.Url}/console/login");
        await page.FillAsync("#name", user);
        await page.FillAsync("#password", ConsoleServer.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync($"{Server.Url}/console/journeys");
        return page;
    }

    protected static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(ServerProcess.RepositoryRoot(), "artifacts", "console");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        TestContext.AddTestAttachment(file, name);
    }
}

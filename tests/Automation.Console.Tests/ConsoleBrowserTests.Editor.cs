using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Automation.Console.Tests;

/// <summary>The console editor in Chromium: CodeMirror, the server's checks as lint, a template draft's preview, drafts kept across reloads and sign-ins.</summary>
public sealed partial class ConsoleBrowserTests
{
    [Test]
    public async Task A_journey_edited_in_the_browser_shows_a_mistake_at_its_line_until_fixed_and_a_template_draft_previews_and_survives()
    {
        var page = await LoggedInPageAsync();
        await OpenInEditorAsync(page, "rules/cart-recovery.json");
        (await page.Locator(".cm-content").InnerTextAsync()).Should().Contain("\"WorkflowName\": \"cart-recovery\"");
        await page.WaitForSelectorAsync("#problems-summary:has-text('No problems in this file')");

        // Line 8 is "MaxAge": "P3D",  — without its comma the file is malformed from there.
        await GoToLineEndAsync(page, 8);
        await page.Keyboard.PressAsync("Backspace");
        var problem = page.Locator("#problems li").First;
        await problem.WaitForAsync();
        (await problem.InnerTextAsync()).Should().MatchRegex(@"^rules/cart-recovery\.json:\d+");
        (await problem.GetAttributeAsync("data-line")).Should().MatchRegex(@"^\d+$");
        (await page.Locator(".cm-lint-marker-error").CountAsync()).Should().BeGreaterThan(0, "the mistake is marked in the editor's gutter");
        await ScreenshotAsync(page, "editor-problem");

        await page.Keyboard.TypeAsync(",");
        await page.WaitForSelectorAsync("#problems-summary:has-text('No problems in this file')");
        (await page.Locator("#problems li").CountAsync()).Should().Be(0);
        (await page.Locator("#problems-elsewhere").InnerTextAsync()).Should().Contain("rules/birthday.json", "the server's broken birthday file is listed apart");

        await OpenInEditorAsync(page, "templates/cart-recovery/reminder.email.liquid");
        await GoToLineEndAsync(page, 5);
        await page.Keyboard.PressAsync("Home");
        await page.Keyboard.TypeAsync("<p>Drafted in the browser</p>");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#save-status:has-text('Draft saved')");
        await page.FillAsync("#preview-customer", ConsoleServer.KnownEmail);
        await page.ClickAsync("#preview-run");
        var frame = page.Locator("#preview-output iframe.email");
        await frame.WaitForAsync();
        (await frame.GetAttributeAsync("sandbox")).Should().Be("");
        (await frame.GetAttributeAsync("srcdoc")).Should().Contain("Drafted in the browser");
        var email = page.FrameLocator("#preview-output iframe.email").Locator("body");
        await email.Locator("text=Drafted in the browser").WaitForAsync();
        (await email.InnerTextAsync()).Should().Contain("Hi Ann", "the frame shows the rendered email");
        (await page.TextContentAsync("#preview-output")).Should().Contain($"customer {ConsoleServer.KnownId}");
        await ScreenshotAsync(page, "editor-preview");

        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#editor-app[data-ready=true]");
        (await page.Locator(".cm-content").InnerTextAsync()).Should().Contain("<p>Drafted in the browser</p>");
        File.ReadAllText(Path.Combine(Server.Root.FullName, "templates", "cart-recovery", "reminder.email.liquid")).Should().NotContain("Drafted in the browser");
    }

    [Test]
    public async Task A_draft_typed_after_the_session_ended_is_restored_and_saved_after_signing_in_again()
    {
        var page = await LoggedInPageAsync();
        await OpenInEditorAsync(page, "templates/cart-recovery/coupon.sms.liquid");
        await page.Locator(".cm-content").ClickAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync(" Saved once.");
        await page.WaitForSelectorAsync("#save-status:has-text('Draft saved')");

        // The session ends (its cookie is gone, as when it timed out) while the marketer keeps typing.
        await page.Context.ClearCookiesAsync();
        await page.Keyboard.TypeAsync(" Typed while signed out.");
        await page.WaitForSelectorAsync("#save-status:has-text('Your session ended')");

        await page.GotoAsync($"{Server.Url}/console/login");
        await page.FillAsync("#name", ConsoleServer.UserName);
        await page.FillAsync("#password", ConsoleServer.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(new Regex("/console/journeys"));
        await OpenInEditorAsync(page, "templates/cart-recovery/coupon.sms.liquid");
        (await page.Locator(".cm-content").InnerTextAsync()).Should().Contain("Saved once. Typed while signed out.");
        await page.WaitForSelectorAsync("#save-status:has-text('Draft saved')");

        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#editor-app[data-ready=true]");
        (await page.Locator("#draft-source").InputValueAsync()).Should().Contain("Typed while signed out.", "the server has the restored draft now");
    }

    private async Task OpenInEditorAsync(IPage page, string path)
    {
        await page.GotoAsync($"{Server.Url}/console/editor?path={Uri.EscapeDataString(path)}");
        await page.WaitForSelectorAsync("#editor-app[data-ready=true]");
    }

    private static async Task GoToLineEndAsync(IPage page, int line)
    {
        await page.Locator(".cm-content").ClickAsync();
        await page.Keyboard.PressAsync("Control+Home");
        for (var i = 1; i < line; i++) await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("End");
    }
}

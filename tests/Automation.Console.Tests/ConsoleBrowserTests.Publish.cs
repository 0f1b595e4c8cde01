using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Automation.Console.Tests;

/// <summary>
/// Publishing from the console editor in Chromium, end to end: a mistake shown at its line, fixed, the draft published
/// as a version; a customer entering afterwards runs the new version while one already in the journey keeps the old.
/// </summary>
public sealed partial class ConsoleBrowserTests
{
    private const string VersionedJourney = """
        {
          "WorkflowName": "version-check",
          "Trigger": { "Event": "Version Check" },
          "MaxAge": "P30D",
          "Rules": [
            { "RuleName": "mark", "Expression": "journey.HoursSinceEntry >= 48",
              "Actions": { "OnSuccess": { "Name": "AddTag", "Context": { "Tag": "version-checked" } } } }
          ]
        }

        """;

    [Test]
    public async Task A_journey_published_from_the_editor_runs_for_customers_entering_after_while_one_in_flight_keeps_its_version()
    {
        using var api = new HttpClient { BaseAddress = new Uri(Server.Url) };
        api.DefaultRequestHeaders.Authorization = new("Bearer", ConsoleServer.ApiKey);
        File.WriteAllText(Path.Combine(Server.Root.FullName, "rules", "version-check.json"), VersionedJourney);
        var first = Hash(VersionedJourney);
        await Until(async () => await CurrentHashAsync(api) == first, "the new journey file loaded");
        (await api.PostAsJsonAsync("/v1/track", new { userId = "in-flight", @event = "Version Check" })).EnsureSuccessStatusCode();

        var page = await LoggedInPageAsync();
        await OpenInEditorAsync(page, "rules/version-check.json");
        await page.WaitForSelectorAsync("#problems-summary:has-text('No problems in this file')");
        // Line 4 is "MaxAge": "P30D",  — without its comma the file is malformed from there.
        await GoToLineEndAsync(page, 4);
        await page.Keyboard.PressAsync("Backspace");
        await page.Locator("#problems li").First.WaitForAsync();
        (await page.Locator("#problems li").First.InnerTextAsync()).Should().MatchRegex(@"^rules/version-check\.json:\d+");
        await page.Keyboard.TypeAsync(",");
        await page.WaitForSelectorAsync("#problems-summary:has-text('No problems in this file')");

        // The wait becomes four days: line 6 ends with 48",
        await GoToLineEndAsync(page, 6);
        for (var i = 0; i < 2; i++) await page.Keyboard.PressAsync("ArrowLeft");
        for (var i = 0; i < 2; i++) await page.Keyboard.PressAsync("Backspace");
        await page.Keyboard.TypeAsync("96");
        await page.WaitForSelectorAsync("#save-status:has-text('Draft saved')");
        await page.WaitForSelectorAsync("#problems-summary:has-text('No problems in this file')");
        await page.FillAsync("#publish-message", "Wait four days");
        await page.ClickAsync("#publish-run");
        // The page reloads once published, saying so.
        await page.WaitForSelectorAsync("#published-message");
        page.Url.Should().Contain("published=");
        (await page.TextContentAsync("#published-message")).Should().Contain("published: Wait four days");
        (await page.TextContentAsync("#history")).Should().Contain("Wait four days").And.Contain(ConsoleServer.UserName);
        await ScreenshotAsync(page, "editor-published");

        var published = File.ReadAllText(Path.Combine(Server.Root.FullName, "rules", "version-check.json"));
        published.Should().Contain(">= 96");
        var second = Hash(published);
        await Until(async () => await CurrentHashAsync(api) == second, "the published version reloaded");
        (await api.PostAsJsonAsync("/v1/track", new { userId = "after-publish", @event = "Version Check" })).EnsureSuccessStatusCode();

        var running = JsonNode.Parse(await api.GetStringAsync("/v1/journeys/version-check/running"))!;
        running["versions"]!.AsArray().Select(v => ((string?)v!["hash"], (long)v["instances"]!)).Should().BeEquivalentTo([(first, 1L), (second, 1L)],
            "the customer in flight keeps the version they entered with; the one entering after runs the new one");
        ((long)running["onEarlierVersions"]!).Should().Be(1);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static async Task<string?> CurrentHashAsync(HttpClient api)
    {
        var response = await api.GetAsync("/v1/journeys/version-check/running");
        return response.IsSuccessStatusCode ? (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["current"] : null;
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 150; i++)
        {
            if (await condition()) return;
            await Task.Delay(200);
        }
        Assert.Fail($"Timed out waiting for {what}.");
    }
}

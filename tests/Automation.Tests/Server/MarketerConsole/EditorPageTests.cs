using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Automation.Server.MarketerConsole;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>
/// The console editor's page and handlers through the real server over the shipped journeys: drafts saved per user
/// with conflicts, a draft checked as <c>automation validate</c> checks files, a template draft previewed for a stored
/// customer, a journey draft simulated; the published files are never written.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed partial class EditorPageTests(string provider)
{
    private const string Password = "correct-horse-battery";
    private const string Journey = "rules/cart-recovery.json";
    private const string Template = "templates/cart-recovery/reminder.email.liquid";
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(Start);
        _factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string>
        {
            ["Console:Users:0:Name"] = "ann",
            ["Console:Users:0:PasswordHash"] = ConsolePasswords.Hash(Password),
            ["Console:Users:1:Name"] = "bob",
            ["Console:Users:1:PasswordHash"] = ConsolePasswords.Hash(Password),
            ["Console:Users:2:Name"] = "eve",
            ["Console:Users:2:PasswordHash"] = ConsolePasswords.Hash(Password),
            ["Console:Users:2:Role"] = "editor",
        }).WithShippedJourneys();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private string Published(string path) => File.ReadAllText(Path.Combine(_factory.ContentRoot, path));

    [Test]
    public async Task A_broken_journey_draft_gets_its_problems_at_file_and_line_and_the_running_file_is_untouched()
    {
        var editor = await EditorAsync("ann", Journey);
        var broken = Published(Journey).Replace("\"cart-recovery/reminder\"", "\"cart-recovery/no-such-template\"", StringComparison.Ordinal);
        var line = broken.Split('\n').ToList().FindIndex(l => l.Contains("no-such-template", StringComparison.Ordinal)) + 1;

        var check = await editor.PostAsync("Validate", new { path = Journey, content = broken });
        var problem = check["problems"]!.AsArray().Should().ContainSingle().Subject!;
        ((string)problem["file"]!).Should().Be(Journey);
        ((int)problem["line"]!).Should().Be(line);
        ((string)problem["message"]!).Should().Contain("cart-recovery/no-such-template");

        var malformed = Published(Journey).Replace("\"MaxAge\": \"P3D\",", "\"MaxAge\": \"P3D\"", StringComparison.Ordinal);
        var syntax = (await editor.PostAsync("Validate", new { path = Journey, content = malformed }))["problems"]!.AsArray();
        syntax.Should().ContainSingle();
        ((int)syntax[0]!["line"]!).Should().BeGreaterThan(1, "the reader names the line where the JSON breaks");

        (await editor.PostAsync("Validate", new { path = Journey, content = Published(Journey) }))["problems"]!.AsArray().Should().BeEmpty();
        Published(Journey).Should().NotContain("no-such-template");
        using var api = _factory.CreateAuthorizedClient();
        (await api.GetStringAsync("/v1/journeys")).Should().NotContain("no-such-template");
    }

    [Test]
    public async Task A_template_draft_naming_an_unknown_variable_gets_its_file_and_line()
    {
        var editor = await EditorAsync("ann", Template);
        var draft = Published(Template).Replace("<p>Your cart is saved", "<p>{{ customer.no_such_field }} Your cart is saved", StringComparison.Ordinal);
        var line = draft.Split('\n').ToList().FindIndex(l => l.Contains("no_such_field", StringComparison.Ordinal)) + 1;

        var problems = (await editor.PostAsync("Validate", new { path = Template, content = draft }))["problems"]!.AsArray();
        problems.Should().NotBeEmpty();
        problems.Select(p => ((string)p!["file"]!, (int)p["line"]!)).Should().Contain((Template, line));
        problems.Select(p => (string)p!["message"]!).Should().Contain(m => m.Contains("no_such_field", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_template_draft_is_previewed_for_a_customer_found_by_email_in_a_chosen_locale()
    {
        using (var api = _factory.CreateAuthorizedClient())
            (await api.PostAsJsonAsync("/v1/identify", new { userId = "mei", traits = new { email = "mei@example.com", first_name = "Mei", name = "Mei Lin" } })).EnsureSuccessStatusCode();
        var editor = await EditorAsync("ann", Template);
        var draft = Published(Template).Replace("<p>Your cart is saved", "<p>Draft greeting for {{ customer.first_name }}. Your cart is saved", StringComparison.Ordinal);

        var preview = await editor.PostAsync("Preview", new { path = Template, content = draft, customer = "mei@example.com" });
        ((string?)preview["error"]).Should().BeNull();
        ((string)preview["renderedFor"]!).Should().Be("customer mei");
        var rendered = preview["previews"]!.AsArray().Should().ContainSingle().Subject!;
        ((string)rendered["step"]!).Should().Be("reminder");
        ((string)rendered["html"]!).Should().Contain("Draft greeting for Mei.");

        var chinese = await editor.PostAsync("Preview", new { path = Template, content = draft, customer = "mei", locale = "zh-CN" });
        ((string)chinese["previews"]![0]!["html"]!).Should().NotContain("Draft greeting", "in zh-CN the customer gets the zh-CN file, not this draft");
        ((string)(await editor.PostAsync("Preview", new { path = Template, content = draft, customer = "nobody@example.com" }))["error"]!).Should().Contain("nobody@example.com");
    }

    [Test]
    public async Task A_journey_draft_is_simulated_with_its_own_timing()
    {
        var editor = await EditorAsync("ann", Journey);
        var draft = Published(Journey).Replace("journey.HoursSinceEntry >= 1 &&", "journey.HoursSinceEntry >= 5 &&", StringComparison.Ordinal);

        var simulated = await editor.PostAsync("Simulate", new { path = Journey, content = draft, days = "2" });
        simulated["errors"]!.AsArray().Should().BeEmpty();
        var lines = simulated["result"]!["lines"]!.AsArray().Select(l => (string)l!).ToList();
        lines.Should().Contain(l => l.StartsWith("+5h", StringComparison.Ordinal) && l.Contains("send email cart-recovery/reminder", StringComparison.Ordinal));
        lines.Should().NotContain(l => l.StartsWith("+1h", StringComparison.Ordinal) && l.Contains("send email", StringComparison.Ordinal));

        var broken = await editor.PostAsync("Simulate", new { path = Journey, content = "{ \"WorkflowName\": " });
        ((string)broken["errors"]![0]!).Should().StartWith(Journey + ":");
    }

    [Test]
    public async Task A_new_journey_file_is_checked_and_simulated_beside_the_published_ones()
    {
        const string path = "rules/spring-sale.json";
        var editor = await EditorAsync("ann", path);
        editor.Page.Should().Contain("The published file: your first change starts a draft");
        var journey = Published(Journey).Replace("\"WorkflowName\": \"cart-recovery\"", "\"WorkflowName\": \"spring-sale\"", StringComparison.Ordinal);

        (await editor.PostAsync("Validate", new { path, content = journey }))["problems"]!.AsArray().Should().BeEmpty();
        var missing = journey.Replace("\"cart-recovery/reminder\"", "\"spring-sale/hello\"", StringComparison.Ordinal);
        ((string)(await editor.PostAsync("Validate", new { path, content = missing }))["problems"]![0]!["message"]!).Should().Contain("spring-sale/hello");
        var simulated = await editor.PostAsync("Simulate", new { path, content = journey });
        ((string)simulated["result"]!["heading"]!).Should().StartWith("spring-sale");
        File.Exists(Path.Combine(_factory.ContentRoot, path)).Should().BeFalse();
        (await editor.SendAsync("Save", new { path, content = journey, revision = 0, baseHash = "not-a-hash" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Drafts_are_per_user_a_stale_save_is_a_conflict_and_a_publish_since_shows_the_difference()
    {
        var ann = await EditorAsync("ann", Journey);
        var first = await ann.SaveAsync(Journey, "{ \"ann\": 1 }", 0);
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ann.SaveAsync(Journey, "{ \"ann\": 2 }", 1)).StatusCode.Should().Be(HttpStatusCode.OK);
        var stale = await ann.SaveAsync(Journey, "{ \"stale tab\": 1 }", 1);
        stale.StatusCode.Should().Be(HttpStatusCode.Conflict);
        ((long)JsonNode.Parse(await stale.Content.ReadAsStringAsync())!["revision"]!).Should().Be(2);

        var bob = await EditorAsync("bob", Journey);
        bob.Page.Should().Contain("WorkflowName").And.NotContain("{ &quot;ann&quot;: 2 }", "bob opens the published file, not ann's draft");
        (await bob.SaveAsync(Journey, "{ \"bob\": 1 }", 0)).StatusCode.Should().Be(HttpStatusCode.OK);

        var annAgain = await EditorAsync("ann", Journey);
        annAgain.Page.Should().Contain("{ &quot;ann&quot;: 2 }").And.NotContain("id=\"conflict\"");
        // Someone publishes the file after ann began: her draft's base no longer matches, and she is shown what changed.
        File.WriteAllText(Path.Combine(_factory.ContentRoot, Journey), Published(Journey).Replace("P7D", "P14D", StringComparison.Ordinal));
        var changed = await EditorAsync("ann", Journey);
        changed.Page.Should().Contain("id=\"conflict\"").And.Contain("Changed since you started").And.Contain("- ").And.Contain("P14D");
        (await bob.SaveAsync(Journey, "{ \"bob\": 2 }", 1)).StatusCode.Should().Be(HttpStatusCode.OK, "bob's draft is his own");
    }

    [Test]
    public async Task A_publisher_publishes_a_saved_draft_as_a_version_unless_it_fails_the_checks_or_the_file_moved_since()
    {
        var ann = await EditorAsync("ann", Journey);
        ann.Page.Should().Contain("id=\"publish-panel\"");
        var edited = Published(Journey).Replace("P7D", "P10D", StringComparison.Ordinal);
        var broken = edited.Replace("\"WorkflowName\"", "\"Workflow\"", StringComparison.Ordinal);
        (await ann.SaveAsync(Journey, broken, 0)).StatusCode.Should().Be(HttpStatusCode.OK);
        var refused = await ann.SendAsync("Publish", new { path = Journey, content = broken, revision = 1, message = "Longer wait" });
        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["problems"]!.AsArray().Should().NotBeEmpty();
        Published(Journey).Should().NotContain("P10D");

        (await ann.SaveAsync(Journey, edited, 1)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ann.SendAsync("Publish", new { path = Journey, content = edited + " ", revision = 2 })).StatusCode.Should().Be(HttpStatusCode.Conflict,
            "only the draft as saved is published");
        var bob = await EditorAsync("bob", Journey);
        (await bob.SaveAsync(Journey, Published(Journey).Replace("P7D", "P3D", StringComparison.Ordinal), 0)).StatusCode.Should().Be(HttpStatusCode.OK);

        var published = await ann.PostAsync("Publish", new { path = Journey, content = edited, revision = 2, message = "Longer wait" });
        var version = (long)published["version"]!;
        ((string)published["changed"]![0]!).Should().Be(Journey);
        Published(Journey).Should().Be(edited, "the version is written where the server reads it");
        var after = await EditorAsync("ann", Journey, $"&published={version}");
        after.Page.Should().Contain("The published file: your first change starts a draft").And.Contain($"Version {version} published: Longer wait")
            .And.Contain("<td>Longer wait</td>").And.Contain("<td>ann</td>");

        var late = await bob.SendAsync("Publish", new { path = Journey, content = Published(Journey).Replace("P10D", "P3D", StringComparison.Ordinal), revision = 1 });
        late.StatusCode.Should().Be(HttpStatusCode.Conflict, "bob's draft began before ann's publish");
        (await late.Content.ReadAsStringAsync()).Should().Contain("changed since your draft began");

        var eve = await EditorAsync("eve", Journey);
        eve.Page.Should().NotContain("id=\"publish-panel\"").And.NotContain("Roll back to this");
        (await eve.SaveAsync(Journey, edited + "\n", 0)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await eve.SendAsync("Publish", new { path = Journey, content = edited + "\n", revision = 1 })).StatusCode.Should().Be(HttpStatusCode.Forbidden, "an editor drafts, a publisher publishes");

        var rollback = await after.Client.PostAsync("/console/editor?handler=Rollback", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["path"] = Journey, ["version"] = "1", ["__RequestVerificationToken"] = after.Token,
        }));
        rollback.StatusCode.Should().Be(HttpStatusCode.Redirect);
        Published(Journey).Should().Contain("P7D").And.NotContain("P10D");
        (await after.Client.GetStringAsync(rollback.Headers.Location!.ToString())).Should().Contain($"Version {version + 1} published: {Journey} as it was in version 1.");
    }

    [Test]
    public async Task A_session_that_timed_out_keeps_the_draft_for_after_signing_in_again()
    {
        var editor = await EditorAsync("ann", Template);
        (await editor.SaveAsync(Template, "kept across sessions", 0)).StatusCode.Should().Be(HttpStatusCode.OK);
        _clock.Advance(TimeSpan.FromMinutes(61));

        var expired = await editor.SaveAsync(Template, "typed after the session ended", 1);
        expired.StatusCode.Should().Be(HttpStatusCode.Redirect);
        expired.Headers.Location!.ToString().Should().Contain("/console/login");

        var again = await EditorAsync("ann", Template);
        again.Page.Should().Contain("kept across sessions");
        (await again.SaveAsync(Template, "typed after the session ended", 1)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_path_outside_the_content_folders_is_refused_naming_the_field()
    {
        var editor = await EditorAsync("ann", Journey);
        foreach (var path in new[] { "appsettings.json", "rules/../appsettings.json", "rules/schema.json", "templates/x.txt" })
        {
            var response = await editor.SendAsync("Validate", new { path, content = "{}" });
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, path);
            (await response.Content.ReadAsStringAsync()).Should().Contain("path:");
        }
        (await editor.Client.GetAsync("/console/editor?path=appsettings.json")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await editor.Client.GetAsync("/console/editor/schemas/..%2Fappsettings.json")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await editor.Client.GetStringAsync("/console/editor/schemas/schema.json")).Should().Contain("\"WorkflowName\"");
    }

    /// <summary>A signed-in console client with the editor page of <paramref name="path"/> open, and its antiforgery token.</summary>
    private async Task<EditorSession> EditorAsync(string user, string path, string query = "")
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await client.GetStringAsync("/console/login");
        (await client.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = user, ["password"] = Password, ["__RequestVerificationToken"] = Token().Match(login).Groups[1].Value,
        }))).StatusCode.Should().Be(HttpStatusCode.Redirect);
        var page = await client.GetStringAsync($"/console/editor?path={Uri.EscapeDataString(path)}{query}");
        return new EditorSession(client, page, Token().Match(page).Groups[1].Value);
    }

    private sealed record EditorSession(HttpClient Client, string Page, string Token)
    {
        public async Task<JsonNode> PostAsync(string handler, object body)
        {
            var response = await SendAsync(handler, body);
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }

        public Task<HttpResponseMessage> SaveAsync(string path, string content, long revision) => SendAsync("Save", new { path, content, revision });

        public async Task<HttpResponseMessage> SendAsync(string handler, object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/console/editor?handler={handler}") { Content = JsonContent.Create(body) };
            request.Headers.Add("RequestVerificationToken", Token);
            return await Client.SendAsync(request);
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// Published content versions through the API on both databases: the folders recorded at start, a publish checked as
/// <c>automation validate</c> checks (422 with file:line, nothing written), written to the folders the server runs and
/// reloaded, 409 on a stale base, history, diff, rollback (refused when it would name a template that is gone), and
/// 400 naming each bad field.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class ContentApiTests(string provider)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-05T08:00:00Z", CultureInfo.InvariantCulture);

    private const string Journey = """
        { "WorkflowName": "welcome", "Trigger": { "Event": "Signed Up" },
          "Rules": [ { "RuleName": "hello", "Expression": "journey.HoursSinceEntry >= 24", "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "welcome/hello" } } } } ] }
        """;

    private const string Hello = "---\nsubject: Hello {{ customer.first_name }}\n---\n<p>Hello</p>\n";

    private TestDatabase _db = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _factory = new AutomationFactory(_db, new FakeTimeProvider(Now));
        Write("rules/welcome.json", Journey);
        Write("templates/welcome/hello.email.liquid", Hello);
        _client = _factory.CreateAuthorizedClient();
        await Eventually.Until(async () => (await Get("/v1/content/versions"))["head"] is not null, what: "the folders recorded as version 1 at start");
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private void Write(string path, string text)
    {
        var file = Path.Combine(_factory.ContentRoot, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    private async Task<JsonNode> Get(string path) => JsonNode.Parse(await _client.GetStringAsync(path))!;

    private Task<HttpResponseMessage> Publish(object body) => _client.PostAsJsonAsync("/v1/content/publish", body);

    private static async Task<JsonNode> Body(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    [Test]
    public async Task The_folders_are_version_1_and_a_publish_makes_version_2_written_where_the_server_reads_it()
    {
        var first = await Get("/v1/content/versions/1");
        first["author"]!.GetValue<string>().Should().Be("files");
        first["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()).Should().Equal("rules/welcome.json", "templates/welcome/hello.email.liquid");

        var published = await Publish(new { @base = 1, message = "Warmer subject", files = new[] { new { path = "templates/welcome/hello.email.liquid", content = Hello.Replace("Hello {{", "Welcome {{") } } });
        published.StatusCode.Should().Be(HttpStatusCode.Created, await published.Content.ReadAsStringAsync());
        var body = await Body(published);
        body["version"]!["id"]!.GetValue<long>().Should().Be(2);
        body["version"]!["author"]!.GetValue<string>().Should().Be("Api:Keys:0", "an API key without a name is named by its place");
        body["changed"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("templates/welcome/hello.email.liquid");
        File.ReadAllText(Path.Combine(_factory.ContentRoot, "templates/welcome/hello.email.liquid")).Should().Contain("Welcome {{");
        (await _client.GetStringAsync("/v1/content/files/templates/welcome/hello.email.liquid")).Should().Contain("Welcome {{");
        (await _client.GetStringAsync("/v1/content/files/templates/welcome/hello.email.liquid?version=1")).Should().Be(Hello);

        var history = (await Get("/v1/content/history/templates/welcome/hello.email.liquid"))["changes"]!.AsArray();
        history.Select(c => (c!["version"]!.GetValue<long>(), c["message"]!.GetValue<string>())).Should().Equal((2, "Warmer subject"), (1, "imported from disk"));
        var diff = (await Get("/v1/content/diff/templates/welcome/hello.email.liquid?from=1&to=2"))["lines"]!.AsArray();
        diff.Where(l => l!["change"]!.GetValue<string>() != " ").Select(l => (l!["change"]!.GetValue<string>(), l["text"]!.GetValue<string>()))
            .Should().Equal(("-", "subject: Hello {{ customer.first_name }}"), ("+", "subject: Welcome {{ customer.first_name }}"));

        var audit = (await Get("/v1/audit?action=content.publish"))["entries"]!.AsArray();
        audit.Should().ContainSingle("the start's recording of the folders is the version's own record, not a person's publish");
        audit[0]!["target"]!.GetValue<string>().Should().Be("content:version:2");

        // The same files again make no version.
        var again = await Publish(new { @base = 2, message = "again", files = new[] { new { path = "templates/welcome/hello.email.liquid", content = Hello.Replace("Hello {{", "Welcome {{") } } });
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Body(again))["changed"]!.AsArray().Should().BeEmpty();
        (await Get("/v1/content/versions"))["head"]!.GetValue<long>().Should().Be(2);
    }

    [Test]
    public async Task A_publish_that_fails_validation_is_refused_with_file_and_line_and_changes_nothing()
    {
        var broken = Journey.Replace("welcome/hello", "welcome/missing");
        var response = await Publish(new { @base = 1, message = "Typo", files = new[] { new { path = "rules/welcome.json", content = broken } } });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var problem = (await Body(response))["problems"]!.AsArray().Should().ContainSingle().Subject!;
        problem["file"]!.GetValue<string>().Should().Be("rules/welcome.json");
        problem["line"]!.GetValue<int>().Should().Be(2);
        problem["text"]!.GetValue<string>().Should().StartWith("rules/welcome.json:2 hello:").And.Contain("welcome/missing");
        File.ReadAllText(Path.Combine(_factory.ContentRoot, "rules/welcome.json")).Should().Be(Journey);
        (await Get("/v1/content/versions"))["head"]!.GetValue<long>().Should().Be(1);

        // A file broken on disk already does not block publishing something else; adding a problem still does.
        Write("rules/broken.json", "{ \"WorkflowName\": ");
        await Eventually.Until(async () => (await Get("/v1/content/versions"))["head"]!.GetValue<long>() == 2, what: "the disk change recorded");
        (await Publish(new { message = "Fix", files = new[] { new { path = "templates/welcome/hello.email.liquid", content = Hello + "\n" } } }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        (await Publish(new { message = "Typo again", files = new[] { new { path = "rules/welcome.json", content = broken } } }))
            .StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
    }

    [Test]
    public async Task A_publish_from_a_version_no_longer_published_is_a_conflict()
    {
        (await Publish(new { @base = 1, message = "one", files = new[] { new { path = "templates/welcome/hello.email.liquid", content = Hello + "\n" } } }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var stale = await Publish(new { @base = 1, message = "two", files = new[] { new { path = "templates/welcome/hello.email.liquid", content = Hello + "\n\n" } } });

        stale.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await Body(stale))["head"]!.GetValue<long>().Should().Be(2);
        File.ReadAllText(Path.Combine(_factory.ContentRoot, "templates/welcome/hello.email.liquid")).Should().Be(Hello + "\n");
    }

    [Test]
    public async Task A_rollback_publishes_an_earlier_file_again_unless_it_names_a_template_that_is_gone()
    {
        var v2 = Journey.Replace("welcome/hello", "welcome/hi");
        (await Publish(new { @base = 1, message = "Rename", files = new[]
        {
            new { path = "rules/welcome.json", content = v2 }, new { path = "templates/welcome/hi.email.liquid", content = Hello },
        }, removed = (string[])["templates/welcome/hello.email.liquid"] })).StatusCode.Should().Be(HttpStatusCode.Created);

        var refused = await _client.PostAsJsonAsync("/v1/content/rollback", new { version = 1, path = "rules/welcome.json", @base = 2 });
        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, "version 1 of the journey sends welcome/hello, which version 2 removed");
        (await refused.Content.ReadAsStringAsync()).Should().Contain("welcome/hello");

        var whole = await _client.PostAsJsonAsync("/v1/content/rollback", new { version = 1, @base = 2, message = "Back to the start" });
        whole.StatusCode.Should().Be(HttpStatusCode.Created, await whole.Content.ReadAsStringAsync());
        var restored = (await Body(whole))["version"]!;
        (restored["id"]!.GetValue<long>(), restored["restoredFrom"]!.GetValue<long>()).Should().Be((3, 1));
        File.ReadAllText(Path.Combine(_factory.ContentRoot, "rules/welcome.json")).Should().Be(Journey);
        File.Exists(Path.Combine(_factory.ContentRoot, "templates/welcome/hi.email.liquid")).Should().BeFalse();
        (await Get("/v1/audit?action=content.rollback"))["entries"]!.AsArray().Should().ContainSingle();
        (await _client.PostAsJsonAsync("/v1/content/rollback", new { version = 9, @base = 3 })).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Customers_in_flight_keep_their_version_until_it_is_applied_to_them()
    {
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Signed Up" })).EnsureSuccessStatusCode();
        var longer = Journey.Replace(">= 24", ">= 48", StringComparison.Ordinal);
        (await Publish(new { @base = 1, message = "Wait two days", files = new[] { new { path = "rules/welcome.json", content = longer } } })).StatusCode.Should().Be(HttpStatusCode.Created);
        var newHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(longer)));
        await Eventually.Until(async () => (string?)(await Get("/v1/journeys/welcome/running"))["current"] == newHash, what: "the published version reloaded");

        var running = await Get("/v1/journeys/welcome/running");
        running["onEarlierVersions"]!.GetValue<long>().Should().Be(1, "ann entered with the first version");
        var applied = await _client.PostAsJsonAsync("/v1/journeys/welcome/apply-to-running", new { });
        applied.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Body(applied))["moved"]!.GetValue<long>().Should().Be(1);
        (await Body(await _client.PostAsJsonAsync("/v1/journeys/welcome/apply-to-running", new { })))["moved"]!.GetValue<long>().Should().Be(0, "moved once");
        (await Get("/v1/journeys/welcome/running"))["onEarlierVersions"]!.GetValue<long>().Should().Be(0);
        (await Get("/v1/audit?action=journey.apply_to_running"))["entries"]!.AsArray().Should().ContainSingle();
        (await _client.PostAsJsonAsync("/v1/journeys/welcome/apply-to-running", new { hash = "0123" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _client.GetAsync("/v1/journeys/nope/running")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Bad_requests_name_each_field()
    {
        var response = await Publish(new { @base = -1, files = new object[] { new { path = "../etc/passwd", content = "x" }, new { path = "rules/a.json" } }, removed = (string[])["elsewhere/x"] });
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Body(response))["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>())
            .Should().BeEquivalentTo("message", "base", "files[0].path", "files[1].content", "removed[0]");
        (await Publish(new { message = "nothing" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _client.GetAsync("/v1/content/versions/42")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _client.GetAsync("/v1/content/files/rules/nope.json")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _client.GetAsync("/v1/content/diff/rules/welcome.json")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _client.GetAsync("/v1/content/versions?limit=0")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}

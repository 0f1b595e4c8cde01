using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Automation.Core.Storage;
using Automation.Server.Configuration;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// <c>Content:Source=database</c> on two nodes of one PostgreSQL database: the first imports its folders as version 1,
/// the second runs that version whatever its own disk holds, a publish on one node reaches the other at its next look,
/// nothing is written to disk, and a broken file published past the checks keeps its last good version on every node.
/// </summary>
[Category("Cluster")]
public sealed class PublishedContentTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

    private const string Welcome = """
        { "WorkflowName": "welcome", "Trigger": { "Event": "Signed Up" },
          "Rules": [ { "RuleName": "hello", "Expression": "journey.HoursSinceEntry >= 24", "Actions": { "OnSuccess": { "Name": "AddTag", "Context": { "Tag": "welcomed" } } } } ] }
        """;

    private static readonly Dictionary<string, string> DatabaseSource = new() { ["Content:Source"] = "database", ["Content:PollSeconds"] = "1" };

    private static void Write(AutomationFactory server, string path, string text)
    {
        var file = Path.Combine(server.ContentRoot, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    private static async Task<IReadOnlyList<(string Name, string Status)>> JourneysAsync(HttpClient client) =>
        [.. JsonNode.Parse(await client.GetStringAsync("/v1/journeys"))!.AsArray().Select(j => ((string)j!["name"]!, (string)j["status"]!))];

    [Test]
    public async Task Every_node_runs_the_version_published_in_the_database()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres, migrate: false);
        await using var first = new AutomationFactory(db, new FakeTimeProvider(Now), settings: DatabaseSource);
        await using var second = new AutomationFactory(db, new FakeTimeProvider(Now), settings: DatabaseSource);
        Write(first, "rules/welcome.json", Welcome);
        Write(second, "rules/stray.json", Welcome.Replace("welcome", "stray", StringComparison.Ordinal));
        using var a = first.CreateAuthorizedClient();
        (await JourneysAsync(a)).Should().Equal(("welcome", "active"));
        using var b = second.CreateAuthorizedClient();
        (await JourneysAsync(b)).Should().Equal([("welcome", "active")], "the second node runs the imported version, not its own disk");
        (await db.Storage.HeadAsync(default))!.Author.Should().Be("import");

        var published = await a.PostAsJsonAsync("/v1/content/publish", new
        {
            @base = 1, message = "A second journey",
            files = new[] { new { path = "rules/second.json", content = Welcome.Replace("welcome", "second", StringComparison.Ordinal) } },
        });
        published.StatusCode.Should().Be(HttpStatusCode.Created, await published.Content.ReadAsStringAsync());
        await Eventually.Until(async () => (await JourneysAsync(a)).Any(j => j.Name == "second"), what: "the publishing node's reload");
        await Eventually.Until(async () => (await JourneysAsync(b)).Any(j => j.Name == "second"), what: "the other node's next look");
        File.Exists(Path.Combine(first.ContentRoot, "rules", "second.json")).Should().BeFalse("the database is the source: nothing is written to disk");

        // A broken file published past the checks (as a bug or a hand-made row would) keeps its last good version running.
        var head = (await db.Storage.HeadAsync(default))!;
        var files = await Task.WhenAll(head.Files.Select(async f => new ContentFile(f.Path,
            f.Path == "rules/welcome.json" ? Encoding.UTF8.GetBytes("{ \"WorkflowName\": ") : (await db.Storage.FindBlobAsync(f.Hash, default))!)));
        (await db.Storage.PublishAsync(files, new ContentPublication(head.Id, "test", "broken", Now), null, default)).Should().NotBeNull();
        await Eventually.Until(async () => JsonNode.Parse(await b.GetStringAsync("/v1/journeys"))!.AsArray()
            .Any(j => (string)j!["name"]! == "welcome" && (string)j["status"]! == "invalid" && (bool)j["runningLastGoodVersion"]!), what: "the broken version loaded with its last good kept");
    }

    [TestCase("Content:Source", "git", "Content:Source must be files or database, not 'git'.")]
    [TestCase("Content:PollSeconds", "0", "Content:PollSeconds must be from 1 to 3600, not 0.")]
    public void A_bad_content_setting_is_named(string key, string value, string expected)
    {
        var options = new ContentOptions();
        if (key == "Content:Source") options.Source = value;
        else options.PollSeconds = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        new ContentOptionsValidator().Validate(null, options).Failures.Should().Equal(expected);
    }
}

using System.Text.Json.Nodes;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>The server reloads journeys when the file providers of its folders report a change, not by polling them.</summary>
[NonParallelizable]
public sealed class JourneyReloaderTests
{
    private static string Journey(string description) => $$"""
        {
          "WorkflowName": "welcome",
          "Description": "{{description}}",
          "Trigger": { "Event": "Signed Up" },
          "Rules": [ { "RuleName": "tag", "Expression": "true", "Actions": { "OnSuccess": { "Name": "AddTag", "Context": { "Tag": "welcomed" } } } } ]
        }
        """;

    [TestCase(false, Description = "file-system events")]
    [TestCase(true, Description = "Rules:PollForChanges, for folders that raise no events")]
    public async Task A_saved_journey_or_template_fires_the_change_token_of_the_folders(bool poll)
    {
        var root = Directory.CreateTempSubdirectory("automation-watch-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "rules"));
            Directory.CreateDirectory(Path.Combine(root.FullName, "templates", "welcome"));
            var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Rules:PollForChanges"] = poll ? "true" : "false" }).Build();
            using var files = JourneyFiles.From(settings, root.FullName, new QuartzCronSchedule());
            var watch = files.WatchChanges();
            watch.Unwatched.Should().BeEmpty();
            var changes = watch.Changes;
            changes.ActiveChangeCallbacks.Should().BeTrue("a reload waits for the token's callback");
            changes.HasChanged.Should().BeFalse();
            await File.WriteAllTextAsync(Path.Combine(root.FullName, "rules", "welcome.json"), Journey("first"));
            await Eventually.Until(() => Task.FromResult(changes.HasChanged), what: "the token fired for rules/welcome.json");

            var next = files.WatchChanges().Changes;
            await File.WriteAllTextAsync(Path.Combine(root.FullName, "templates", "welcome", "hello.sms.liquid"), "Hello");
            await Eventually.Until(() => Task.FromResult(next.HasChanged), what: "the token fired for templates/welcome/hello.sms.liquid");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Test]
    public async Task A_rules_folder_created_after_start_is_loaded_and_its_next_save_too()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero)));
        using var client = factory.CreateAuthorizedClient();
        (await Journeys(client)).Should().BeEmpty("there is no rules folder yet");

        var file = Path.Combine(factory.ContentRoot, "rules", "welcome.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, Journey("first"));
        await Eventually.Until(() => Journeys(client), js => Description(js) == "first", what: "the journey of the new folder");

        await File.WriteAllTextAsync(file, Journey("second"));
        await Eventually.Until(() => Journeys(client), js => Description(js) == "second", what: "the saved journey, through the folder's change token");
    }

    private static async Task<JsonArray> Journeys(HttpClient client) => JsonNode.Parse(await client.GetStringAsync("/v1/journeys"))!.AsArray();

    private static string? Description(JsonArray journeys) =>
        journeys.SingleOrDefault(j => j!["name"]!.GetValue<string>() == "welcome")?["description"]?.GetValue<string>();
}

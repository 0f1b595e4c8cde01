using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Automation.Core.Messaging;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Faults;

/// <summary>
/// A journey file and its template are overwritten with garbage while clients ingest and the dispatcher sends: the
/// server keeps answering 2xx, reports the bad journey file with its file:line, keeps running the journey's last good
/// version, and renders its messages with the last good template.
/// </summary>
[NonParallelizable]
[Category("Fault")]
public sealed class GarbageFilesFaultTests
{
    private const int Clients = 3;

    [Test]
    public async Task Garbage_journey_and_template_files_under_load_leave_serving_and_dispatch_on_the_last_good_versions()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T12:00:00Z", CultureInfo.InvariantCulture)), settings: new Dictionary<string, string>
        {
            ["Messaging:Dispatch"] = "true",
            ["Messaging:PollMilliseconds"] = "50",
            ["Guardrails:PerDay"] = "0",
            ["Guardrails:PerWeek"] = "0",
            ["Guardrails:QuietHours"] = "",
        });
        FaultDrill.Write(factory.ContentRoot, "sms");
        using var client = factory.CreateAuthorizedClient();
        var outbox = Path.Combine(factory.ContentRoot, "data", "outbox", "sms");

        var acknowledged = new ConcurrentQueue<(string User, DateTime At)>();
        var refused = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var user = $"garbage-{c}-{n}";
                var response = await FaultDrill.EnterAsync(client, user, user, $"+1415{2 + c}{n:000000}");
                if (response.IsSuccessStatusCode) acknowledged.Enqueue((user, TimeProvider.System.GetUtcNow().UtcDateTime));
                else refused.Enqueue($"{user}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                await Task.Delay(20);
            }
        })).ToList();

        await WaitUntil(() => Directory.Exists(outbox) && Directory.EnumerateFiles(outbox).Any(), TimeSpan.FromSeconds(30), "the first message is sent");
        // A save cut short and a paste gone wrong: neither is JSON or Liquid a server could run.
        await File.WriteAllTextAsync(FaultDrill.JourneyFile(factory.ContentRoot), "{\n  \"WorkflowName\": \"fault-drill\",\n  \"Rules\": [\n    { \"RuleName\": \"notice\", \"Expression\": \"journey.HoursSince\n");
        await File.WriteAllTextAsync(FaultDrill.TemplateFile(factory.ContentRoot, "sms"), "Drill notice v2 {% if customer.first_name %}for {{ customer.first_name | \n\u0000\u0001garbage");
        var garbageAt = TimeProvider.System.GetUtcNow().UtcDateTime;

        var journey = await WaitForInvalidJourney(client);
        var invalidSeenAt = TimeProvider.System.GetUtcNow().UtcDateTime;
        // Load goes on for a while on the bad files: journeys are entered and messages rendered after both were seen.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var messages = await db.Storage.ListAsync(null, 10_000, CancellationToken.None);
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(100))
        {
            // Done when every acknowledged customer's message has an outcome, sent or not.
            messages = await db.Storage.ListAsync(null, 10_000, CancellationToken.None);
            if (messages.Count >= acknowledged.Count && messages.All(m => m.Status is not (MessageStatus.Queued or MessageStatus.Sending))) break;
        }
        var sent = Directory.EnumerateFiles(outbox).Select(file => (Json: JsonDocument.Parse(File.ReadAllText(file)).RootElement, At: File.GetLastWriteTimeUtc(file))).ToList();
        var enteredAfter = acknowledged.Where(a => a.At > invalidSeenAt).Select(a => a.User).ToHashSet();
        var renderedAfter = sent.Count(s => s.At > garbageAt);
        var duplicates = sent.GroupBy(s => s.Json.GetProperty("customer").GetString()).Sum(g => g.Count() - 1);
        var lost = acknowledged.Count(a => sent.All(s => s.Json.GetProperty("customer").GetString() != a.User));
        TestContext.Progress.WriteLine(
            $"Garbage rules/{FaultDrill.Journey}.json and template under load ({Clients} clients): {acknowledged.Count} customers entered with 2xx, {refused.Count} refused, " +
            $"{enteredAfter.Count} entered after the journey was reported invalid, {renderedAfter} messages rendered after the template turned bad; " +
            $"sent {sent.Count}, failed {messages.Count(m => m.Status == MessageStatus.Failed)}, lost {lost}, duplicated {duplicates}");

        refused.Should().BeEmpty();
        journey.GetProperty("status").GetString().Should().Be("invalid");
        journey.GetProperty("runningLastGoodVersion").GetBoolean().Should().BeTrue();
        var problem = journey.GetProperty("errors")[0];
        problem.GetProperty("file").GetString().Should().Be(Path.Combine("rules", $"{FaultDrill.Journey}.json"));
        problem.GetProperty("line").GetInt32().Should().BeGreaterThan(1);
        problem.GetProperty("text").GetString().Should().StartWith($"{Path.Combine("rules", $"{FaultDrill.Journey}.json")}:{problem.GetProperty("line").GetInt32()}");

        enteredAfter.Should().NotBeEmpty("customers kept entering the journey after its file turned bad");
        renderedAfter.Should().BePositive("messages were rendered after the template turned bad");
        messages.Should().HaveCount(acknowledged.Count).And.OnlyContain(m => m.Status == MessageStatus.Sent,
            "{0}", string.Join("; ", messages.Where(m => m.Status != MessageStatus.Sent).Take(3).Select(m => $"{m.CustomerId} {m.Status}: {m.LastError}")));
        lost.Should().Be(0);
        duplicates.Should().Be(0);
        foreach (var (json, _) in sent) json.GetProperty("body").GetString().Should().Be(FaultDrill.GoodText(json.GetProperty("customer").GetString()!));
        factory.Services.GetRequiredService<LiquidTemplates>().Problems.Should().ContainSingle()
            .Which.File.Should().Be(FaultDrill.TemplateFile(factory.ContentRoot, "sms"), "the bad template is known, not silently ignored");
    }

    private static async Task<JsonElement> WaitForInvalidJourney(HttpClient client)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var journeys = await client.GetFromJsonAsync<JsonElement>("/v1/journeys");
            var drill = journeys.EnumerateArray().Single(j => j.GetProperty("name").GetString() == FaultDrill.Journey);
            if (drill.GetProperty("status").GetString() == "invalid") return drill;
            if (watch.Elapsed > TimeSpan.FromSeconds(30)) Assert.Fail($"the garbage journey file was not reported within 30 s: {drill}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout) Assert.Fail($"timed out after {timeout.TotalSeconds:0} s waiting until {what}");
            await Task.Delay(50);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using Automation.Core.Messaging;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Faults;

/// <summary>
/// Twilio answers 429 to everything for ten minutes. The server as it is wired for production — the HTTP resilience
/// handler, the Twilio adapter, the dispatch loop and the outbox — backs off and sends every message once it recovers.
/// Time is a fake clock pumped forward (two seconds every ten milliseconds), so ten minutes of throttling take seconds.
/// </summary>
[NonParallelizable]
[Category("Fault")]
public sealed class TwilioThrottlingFaultTests
{
    private const int Customers = 24;
    private static readonly TimeSpan Throttled = TimeSpan.FromMinutes(10);

    [Test]
    public async Task Twilio_answering_429_for_ten_minutes_delays_every_sms_and_loses_or_repeats_none()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T12:00:00Z", CultureInfo.InvariantCulture));
        var recovers = clock.GetUtcNow() + Throttled;
        await using var twilio = await FakeTwilio.StartAsync();
        twilio.Throttling = () => clock.GetUtcNow() < recovers;
        await using var factory = new AutomationFactory(db, clock, settings: new Dictionary<string, string>
        {
            ["Messaging:Dispatch"] = "true",
            ["Messaging:PollMilliseconds"] = "20",
            ["Guardrails:PerDay"] = "0",
            ["Guardrails:PerWeek"] = "0",
            ["Guardrails:QuietHours"] = "",
            ["Channels:Sms:AccountSid"] = "AC0123456789",
            ["Channels:Sms:AuthToken"] = "secret",
            ["Channels:Sms:From"] = "+15005550006",
            ["Channels:Sms:BaseUrl"] = twilio.Url,
        });
        FaultDrill.Write(factory.ContentRoot, "sms");
        using var client = factory.CreateAuthorizedClient();

        // Three shops' worth of clients enter the customers at once; each customer is due one SMS at once.
        var phones = Enumerable.Range(0, Customers).ToDictionary(i => $"throttle-{i}", i => $"+1415555{1000 + i}");
        var answers = await Task.WhenAll(phones.Chunk(Customers / 3).Select(chunk => Task.Run(async () =>
        {
            var codes = new List<int>();
            foreach (var (user, phone) in chunk) codes.Add((int)(await FaultDrill.EnterAsync(client, user, user, phone)).StatusCode);
            return codes;
        })));
        answers.SelectMany(c => c).Should().OnlyContain(code => code == 200);

        var real = Stopwatch.StartNew();
        var sentDuringThrottling = 0;
        IReadOnlyList<Automation.Core.Storage.MessageView> messages = [];
        while (real.Elapsed < TimeSpan.FromSeconds(75))
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            await Task.Delay(10);
            if (clock.GetUtcNow() < recovers) sentDuringThrottling = twilio.Accepted.Count;
            messages = await db.Storage.ListAsync(null, 1000, CancellationToken.None);
            if (messages.Count(m => m.Status is MessageStatus.Sent or MessageStatus.Failed) == Customers) break;
        }

        var accepted = twilio.Accepted.ToList();
        var refused = twilio.Requests.Count - accepted.Count;
        var duplicates = accepted.GroupBy(r => (r["To"], r["Body"])).Sum(g => g.Count() - 1);
        var lost = phones.Values.Count(phone => accepted.All(r => r["To"] != phone));
        var failed = messages.Count(m => m.Status == MessageStatus.Failed);
        TestContext.Progress.WriteLine(
            $"Twilio 429 for {Throttled.TotalMinutes:0} min (fake clock, {real.Elapsed.TotalSeconds:0.0} s real): {Customers} SMS queued by {answers.Length} clients, " +
            $"{refused} requests answered 429, attempts per message {messages.Min(m => m.Attempts)}-{messages.Max(m => m.Attempts)}, " +
            $"last sent {(messages.Max(m => m.SentAt) - recovers)?.TotalSeconds:0} s after recovery; sent {accepted.Count - duplicates}, failed {failed}, lost {lost}, duplicated {duplicates}");

        sentDuringThrottling.Should().Be(0, "Twilio accepted nothing while it throttled");
        messages.Should().HaveCount(Customers).And.OnlyContain(m => m.Status == MessageStatus.Sent, "none is dead-lettered: {0}",
            string.Join("; ", messages.Where(m => m.Status != MessageStatus.Sent).Select(m => $"{m.Recipient} {m.Status} after {m.Attempts}: {m.LastError}")));
        lost.Should().Be(0);
        duplicates.Should().Be(0);
        accepted.Select(r => r["Body"]).Should().OnlyContain(body => body.StartsWith("Drill notice v1 for throttle-", StringComparison.Ordinal));
        foreach (var message in messages)
        {
            // Both layers backed off: the resilience handler tries each call three times (two retries), the outbox
            // spreads the calls out with its doubling backoff, so ten minutes cost a handful of attempts, not hundreds.
            var requests = twilio.Requests.Count(r => r["To"] == message.Recipient);
            requests.Should().Be(3 * (message.Attempts - 1) + 1, $"{message.Recipient} took {message.Attempts} outbox attempts");
            message.Attempts.Should().BeInRange(4, 7, "the outbox backoff doubles from 30 s: five waits (30 … 480 s, ±20 %) span ten minutes");
            message.SentAt.Should().BeOnOrAfter(recovers);
        }
    }
}

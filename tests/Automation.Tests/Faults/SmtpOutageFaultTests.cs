using System.Text;
using Automation.Channels;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Tiers;
using Automation.Server.Jobs;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Faults;

/// <summary>
/// The SMTP server (a real aiosmtpd on loopback) goes down for over a minute with messages due. They are deferred
/// with the production backoff (30 s, 60 s …) and all delivered, once each, when it is back. The minute is on a fake
/// clock driving the dispatcher, so the production backoff is kept without the test waiting for it.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
[Category("Fault")]
public sealed class SmtpOutageFaultTests(string provider)
{
    private const int Customers = 40;
    private static readonly DateTimeOffset Start = new(2026, 5, 4, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(70);

    [Test]
    public async Task Smtp_down_for_over_a_minute_defers_the_due_emails_and_delivers_each_once_when_it_is_back()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var smtp = await SmtpServer.StartAsync();
        var clock = new FakeTimeProvider(Start);
        var repository = ServerProcess.RepositoryRoot();
        var catalog = new JourneyCatalog();
        catalog.Reload(DiskFiles.Folder(Path.Combine(repository, "rules")), new JourneyReadOptions(JourneyReadOptions.DefaultChannels, null, new QuartzCronSchedule().Problem));
        var engine = TestIngestion.Engine(catalog);
        var ingestion = TestIngestion.Service(db.Storage, engine, clock);

        // Ten shoppers leave tea in their carts; an hour later their cart reminders are due. Thirty more follow.
        var scheduler = new JourneyScheduler(catalog, engine, db.Storage, new QuartzCronSchedule(), clock, NullLogger<JourneyScheduler>.Instance);
        async Task AbandonCartsAsync(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                await ingestion.IngestAsync(Segment.Read(clock,
                    Segment.Identify($"s{i}", new { email = $"s{i}@example.com", name = $"Shopper {i}" }, clock.GetUtcNow()),
                    Segment.Track($"s{i}", "Product Added", new { product_id = "tea", name = "Green tea", price = 12.5, quantity = 1 }, clock.GetUtcNow())), CancellationToken.None);
            }
            clock.Advance(TimeSpan.FromHours(1));
            await scheduler.TickAsync(CancellationToken.None);
        }
        await AbandonCartsAsync(0, 10);

        using var email = new EmailChannel(Options.Create(new EmailOptions { Host = "127.0.0.1", Port = smtp.Port, Security = "None", From = "shop@example.com" }));
        var dispatcher = new OutboxDispatcher(db.Storage, new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(Path.Combine(repository, "templates")), "en"), "示例小店"),
            new Dictionary<string, IChannel> { ["email"] = email }, new UnsubscribeLinks(Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef"), "http://127.0.0.1:5080"),
            new Guardrails(db.Storage, new GuardrailSettings(0, 0, TimeOnly.MinValue, TimeOnly.MinValue)),
            new DispatchSettings(BatchSize: 10), clock, NullLogger<OutboxDispatcher>.Instance, new TierCatalog());

        // Ten go out, leaving pooled connections open; then the server dies and thirty more fall due.
        (await dispatcher.DispatchDueAsync(CancellationToken.None)).Should().Be(10);
        smtp.Received().Should().HaveCount(10);
        await smtp.StopAsync();
        await AbandonCartsAsync(10, Customers);
        var down = clock.GetUtcNow();
        while (clock.GetUtcNow() - down < Outage)
        {
            while (await dispatcher.DispatchDueAsync(CancellationToken.None) > 0) { }
            clock.Advance(Step);
        }
        var duringOutage = await db.Storage.ListAsync(null, 1000, CancellationToken.None);
        var waiting = duringOutage.Where(m => m.Status == MessageStatus.Queued).ToList();
        waiting.Should().HaveCount(Customers - 10).And.OnlyContain(m => m.LastError!.StartsWith("SMTP server unreachable", StringComparison.Ordinal));
        waiting.Should().OnlyContain(m => m.Attempts >= 2, "each was tried again during the outage");
        waiting.Should().OnlyContain(m => m.DueAt > clock.GetUtcNow(), "each waits for its backoff rather than hammering the server");
        duringOutage.Should().NotContain(m => m.Status == MessageStatus.Failed);

        await smtp.StartAsync();
        var back = clock.GetUtcNow();
        var messages = duringOutage;
        while (clock.GetUtcNow() - back < TimeSpan.FromMinutes(30))
        {
            while (await dispatcher.DispatchDueAsync(CancellationToken.None) > 0) { }
            messages = await db.Storage.ListAsync(null, 1000, CancellationToken.None);
            if (messages.All(m => m.Status is MessageStatus.Sent or MessageStatus.Failed)) break;
            clock.Advance(Step);
        }

        var received = smtp.Received();
        var recipients = received.Select(m => m.To.Mailboxes.Single().Address).ToList();
        var duplicates = recipients.Count - recipients.Distinct().Count();
        var lost = Enumerable.Range(0, Customers).Count(i => !recipients.Contains($"s{i}@example.com"));
        var failed = messages.Count(m => m.Status == MessageStatus.Failed);
        TestContext.Progress.WriteLine(
            $"SMTP down {Outage.TotalSeconds:0} s (fake clock, {provider}): {Customers} emails, {Customers - 10} due during the outage, " +
            $"attempts {messages.Min(m => m.Attempts)}-{messages.Max(m => m.Attempts)}, all delivered {(messages.Max(m => m.SentAt) - back)?.TotalSeconds:0} s after it was back; " +
            $"sent {received.Count}, failed {failed}, lost {lost}, duplicated {duplicates}");

        messages.Should().OnlyContain(m => m.Status == MessageStatus.Sent);
        failed.Should().Be(0);
        lost.Should().Be(0);
        duplicates.Should().Be(0);
        received.Should().HaveCount(Customers);
        received.Select(m => m.MessageId).Should().OnlyHaveUniqueItems();
        received.Should().OnlyContain(m => m.Subject == "You left 1 item(s) in your cart");
    }
}

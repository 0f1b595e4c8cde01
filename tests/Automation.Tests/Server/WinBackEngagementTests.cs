using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// The shipped win-back journey (rules/win-back.json) enters only dormant customers who stopped opening: its audience
/// leaves out anyone who opened an email within <c>stillOpeningDays</c>, read from the opens the pixel recorded
/// through the real server, on both databases.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
public sealed partial class WinBackEngagementTests(string provider)
{
    private const string Browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

    [Test]
    public async Task A_customer_who_opened_recently_is_not_won_back_while_one_who_stopped_opening_is()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture));
        await using var factory = new AutomationFactory(db, clock, settings: new Dictionary<string, string>
        {
            ["Channels:Email:Host"] = "127.0.0.1", ["Channels:Email:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Channels:Email:Security"] = "None", ["Channels:Email:From"] = "shop@example.com",
            ["Channels:Email:Tracking:Opens"] = "true", ["Messaging:PublicUrl"] = "https://mail.shop.example",
            ["Guardrails:QuietHours"] = "", ["Guardrails:PerDay"] = "0", ["Guardrails:PerWeek"] = "0",
        }).WithShippedJourneys();
        File.WriteAllText(Path.Combine(factory.ContentRoot, "rules", "newsletter.json"), """
            { "WorkflowName": "newsletter", "Trigger": { "Event": "Newsletter Due" }, "ReEntry": "Never",
              "Rules": [ { "RuleName": "issue", "Expression": "journey.HoursSinceEntry >= 0",
                "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "newsletter/issue" } } } } ] }
            """);
        Directory.CreateDirectory(Path.Combine(factory.ContentRoot, "templates", "newsletter"));
        File.WriteAllText(Path.Combine(factory.ContentRoot, "templates", "newsletter", "issue.email.liquid"),
            "---\nsubject: Our newsletter\n---\n<html><body><p>What is new this month.</p></body></html>\n");
        using var api = factory.CreateAuthorizedClient();
        using var reader = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        reader.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", Browser);

        // Three customers order once; ann and bob get the tracked newsletter, cat never gets a tracked email.
        foreach (var customer in new[] { "ann", "bob", "cat" })
        {
            (await api.PostAsJsonAsync("/v1/identify", new { userId = customer, traits = new { email = $"{customer}@example.com" } })).EnsureSuccessStatusCode();
            (await api.PostAsJsonAsync("/v1/track", new { userId = customer, @event = "Order Completed", properties = new { order_id = $"{customer}-1", total = 40 } }))
                .EnsureSuccessStatusCode();
        }
        foreach (var customer in new[] { "ann", "bob" })
            (await api.PostAsJsonAsync("/v1/track", new { userId = customer, @event = "Newsletter Due", properties = new { } })).EnsureSuccessStatusCode();
        await factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        string PixelOf(string customer) => new Uri(PixelSource().Match(smtp.Received()
            .Single(m => m.Subject == "Our newsletter" && m.To.Mailboxes.Single().Address == $"{customer}@example.com").HtmlBody ?? "").Groups[1].Value).PathAndQuery;
        var annPixel = PixelOf("ann");
        var bobPixel = PixelOf("bob");

        clock.Advance(TimeSpan.FromDays(20));
        (await reader.GetAsync(bobPixel)).StatusCode.Should().Be(HttpStatusCode.OK, "bob last opened 42 days before the win-back scan");
        clock.Advance(TimeSpan.FromDays(35));
        (await reader.GetAsync(annPixel)).StatusCode.Should().Be(HttpStatusCode.OK, "ann opened 7 days before it: still reading");
        clock.Advance(TimeSpan.FromDays(7));

        await factory.Services.GetRequiredService<JourneyScheduler>().TickAsync(CancellationToken.None);

        await using var connection = await db.Storage.OpenConnectionAsync(CancellationToken.None);
        var wonBack = await connection.QueryAsync<string>("""
            SELECT c.external_id FROM journey_instances i JOIN customers c ON c.id = i.customer_id
            WHERE i.journey = 'win-back' ORDER BY c.external_id
            """);
        wonBack.Should().Equal(["bob", "cat"], "62 days without an order; ann opened within stillOpeningDays (30), cat was never tracked");
        var opens = await connection.QueryAsync<string>("SELECT c.external_id FROM events e JOIN customers c ON c.id = e.customer_id WHERE e.name = 'Email Opened' ORDER BY e.id");
        opens.Should().Equal(["bob", "ann"], "the real events the audience read");
    }

    [GeneratedRegex("<img src=\"([^\"]+/t/o/[^\"]+)\"")]
    private static partial Regex PixelSource();
}

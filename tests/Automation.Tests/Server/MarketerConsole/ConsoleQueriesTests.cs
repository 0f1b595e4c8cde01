using System.Net.Http.Json;
using Automation.Core.Audit;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>What the console reads from storage beyond the API's views, on both databases.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
public sealed class ConsoleQueriesTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _clock = new FakeTimeProvider(Now);
        _factory = new AutomationFactory(_db, _clock).WithShippedJourneys();
        _client = _factory.CreateAuthorizedClient();
        foreach (var (id, email, phone) in new[] { ("ann", "ann@example.com", "+14155550123"), ("bo", "bo@example.com", "+14155550124") })
        {
            (await _client.PostAsJsonAsync("/v1/identify", new { userId = id, traits = new { email, phone } })).EnsureSuccessStatusCode();
            (await _client.PostAsJsonAsync("/v1/track", new { userId = id, @event = "Product Added", properties = new { product_id = "tea", price = 5 } })).EnsureSuccessStatusCode();
        }
        (await _client.PostAsJsonAsync("/v1/identify", new { anonymousId = "device-7", traits = new { name = "Cy" } })).EnsureSuccessStatusCode();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Test]
    public async Task Search_finds_exact_ids_emails_and_phones_only()
    {
        var storage = _db.Storage;
        (await storage.SearchAsync("ann", 10, CancellationToken.None)).Should().ContainSingle().Which.Email.Should().Be("ann@example.com");
        (await storage.SearchAsync(" bo@example.com ", 10, CancellationToken.None)).Should().ContainSingle().Which.ExternalId.Should().Be("bo");
        (await storage.SearchAsync("+1 415-555-0124", 10, CancellationToken.None)).Should().ContainSingle().Which.ExternalId.Should().Be("bo");
        (await storage.SearchAsync("device-7", 10, CancellationToken.None)).Should().ContainSingle().Which.Name.Should().Be("Cy");
        (await storage.SearchAsync("example.com", 10, CancellationToken.None)).Should().BeEmpty();
        (await storage.SearchAsync("  ", 10, CancellationToken.None)).Should().BeEmpty();
    }

    [Test]
    public async Task A_customers_events_come_newest_first_and_suppressions_of_their_addresses_with_reasons()
    {
        var storage = _db.Storage;
        var ann = (await storage.FindAsync("ann", CancellationToken.None))!.Profile.Id;
        var events = await storage.EventsOfAsync(ann, 10, CancellationToken.None);
        events.Select(e => e.Name ?? e.Type).Should().Equal("Product Added", "identify");
        events[0].Properties.Should().Contain("tea");
        (await storage.EventsOfAsync(ann, 1, CancellationToken.None)).Should().ContainSingle();

        await storage.SuppressAsync("sms", "+14155550123", "replied STOP", Now, AuditActor.Cli("test"), CancellationToken.None);
        await storage.SuppressAsync("email", "bo@example.com", "unsubscribed", Now, AuditActor.Cli("test"), CancellationToken.None);
        var suppressions = await storage.SuppressionsOfAsync(ann, CancellationToken.None);
        suppressions.Should().ContainSingle().Which.Should().Be(new Automation.Core.Storage.SuppressionView("sms", "+14155550123", "replied STOP", Now));
    }

    [Test]
    public async Task The_funnel_counts_instances_per_step_and_messages_per_step_variant_and_status()
    {
        var storage = _db.Storage;
        (await storage.FunnelAsync("cart-recovery", CancellationToken.None)).InstancesPerStep.Should().BeEmpty();

        _clock.Advance(TimeSpan.FromHours(2));
        await _factory.Services.GetRequiredService<JourneyScheduler>().TickAsync(CancellationToken.None);

        var funnel = await storage.FunnelAsync("cart-recovery", CancellationToken.None);
        funnel.InstancesPerStep.Should().Equal(new Dictionary<string, long> { ["reminder"] = 2 });
        funnel.Messages.Should().Equal(new Automation.Core.Storage.StepMessageCount("reminder", null, MessageStatus.Queued, 2));
        (await storage.FunnelAsync("win-back", CancellationToken.None)).Messages.Should().BeEmpty();
    }
}

using System.Text.Json.Nodes;
using Automation.Core.Presales;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Presales;

/// <summary>
/// Pre-sale announcements on both databases and in memory: each tier with early access is told when its window
/// opens, everyone else when the sale opens to all (if it says so), each customer once, and the journey triggers.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class PresaleAnnouncerTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 8, 20, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Opens = new(2026, 8, 25, 10, 0, 0, TimeSpan.FromHours(8));

    private const string Tiers = """
        {
          "Tiers": [
            { "Name": "Member", "Perks": { "early_access_hours": 0 } },
            { "Name": "Gold", "MinSpend": 1000, "Perks": { "early_access_hours": 24 } },
            { "Name": "Diamond", "MinSpend": 3000, "Perks": { "early_access_hours": 48 } }
          ]
        }
        """;

    private EngineHarness _h = null!;
    private DirectoryInfo _folder = null!;
    private readonly PresaleCatalog _sales = new();
    private PresaleAnnouncer _announcer = null!;

    [SetUp]
    public async Task SetUp()
    {
        _folder = Directory.CreateTempSubdirectory("automation-presales-");
        await File.WriteAllTextAsync(Path.Combine(_folder.FullName, "tiers.json"), Tiers);
        var journey = Path.Combine(ServerProcess.RepositoryRoot(), "rules", "presale-announcement.json");
        _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup
        {
            TiersFile = Path.Combine(_folder.FullName, "tiers.json"),
            Journeys = [(journey, await File.ReadAllTextAsync(journey))],
        });
        _announcer = new PresaleAnnouncer(_h.Storage.Ingestion, _sales, _h.Tiers, _h.Engine, _h.Clock);
        UseSale(announceToEveryone: true);
        await _h.Ingest(
            Segment.Order("ann", "a1", 100m, Start), Segment.Order("bob", "b1", 1200m, Start), Segment.Order("cat", "c1", 3500m, Start),
            Segment.Identify("dan", new { email = "dan@example.com" }, Start), Segment.Order("eve", "e1", 1500m, Start));
    }

    [TearDown]
    public async Task TearDown()
    {
        await _h.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    private void UseSale(bool announceToEveryone, string? endsAt = null, string announceBy = "events")
    {
        var sale = new JsonObject
        {
            ["Name"] = "autumn", ["Title"] = "Autumn teas", ["Products"] = "all", ["OpensAt"] = "2026-08-25T10:00:00+08:00",
            ["AnnounceToEveryone"] = announceToEveryone, ["AnnounceBy"] = announceBy,
        };
        if (endsAt is not null) sale["EndsAt"] = endsAt;
        File.WriteAllText(Path.Combine(_folder.FullName, "presales.json"), new JsonObject { ["Sales"] = new JsonArray(sale) }.ToJsonString());
        _sales.Reload(DiskFiles.Folder(_folder.FullName), "presales.json", ["Member", "Gold", "Diamond"]).Should().BeEmpty();
    }

    private Task<int> AnnounceAt(DateTimeOffset at)
    {
        _h.Clock.SetUtcNow(at.ToUniversalTime());
        return _announcer.AnnounceDueAsync(CancellationToken.None);
    }

    /// <summary>The Presale Opened events of a customer, as (early, tier, opens_at).</summary>
    private async Task<IReadOnlyList<(bool Early, string? Tier, string OpensAt)>> Announcements(string id)
    {
        var events = await _h.Storage.Customers.EventsOfAsync((await _h.Customer(id)).Profile.Id, 100, CancellationToken.None);
        return [.. events.Where(e => e.Name == PresaleAnnouncer.PresaleOpened).Select(e => JsonNode.Parse(e.Properties)!)
            .Select(p => (p["early"]!.GetValue<bool>(), p["tier"]?.GetValue<string>(), p["opens_at"]!.GetValue<string>()))];
    }

    private async Task<IReadOnlyList<string>> Templates(string id) =>
        [.. (await _h.Storage.Queries.MessagesOfAsync((await _h.Customer(id)).Profile.Id, CancellationToken.None)).Select(m => $"{m.Channel} {m.Template}")];

    [Test]
    public async Task Each_tier_is_told_when_its_early_window_opens_and_everyone_else_at_the_opening_each_once()
    {
        (await AnnounceAt(Start)).Should().Be(0);
        (await AnnounceAt(Opens.AddHours(-48))).Should().Be(1, "Diamond opens 48 hours early");
        (await Announcements("cat")).Should().Equal((true, "Diamond", "2026-08-23T10:00:00.0000000+08:00"));
        (await AnnounceAt(Opens.AddHours(-24))).Should().Be(2, "Gold opens 24 hours early");
        (await AnnounceAt(Opens.AddHours(-1))).Should().Be(0);
        (await Announcements("bob")).Should().Equal((true, "Gold", "2026-08-24T10:00:00.0000000+08:00"));
        (await Announcements("ann")).Should().BeEmpty("members have no early access");

        (await AnnounceAt(Opens)).Should().Be(2, "ann and dan, not told before");
        (await AnnounceAt(Opens.AddHours(1))).Should().Be(0);
        (await Announcements("ann")).Should().Equal((false, "Member", "2026-08-25T10:00:00.0000000+08:00"));
        (await Announcements("dan")).Should().Equal((false, null, "2026-08-25T10:00:00.0000000+08:00"));
        foreach (var id in new[] { "bob", "cat", "eve" }) (await Announcements(id)).Should().ContainSingle();
        // The journey triggers on the event: an email for each (and no SMS without consent).
        foreach (var id in new[] { "ann", "bob", "cat", "dan", "eve" }) (await Templates(id)).Should().Equal("email presale-announcement/announce");
    }

    [Test]
    public async Task A_sale_announced_by_broadcast_gets_no_events_from_the_job()
    {
        UseSale(announceToEveryone: true, announceBy: "broadcast");
        (await AnnounceAt(Opens.AddHours(-48))).Should().Be(0);
        (await AnnounceAt(Opens)).Should().Be(0, "a broadcast naming the sale tells its customers instead");
        (await Announcements("cat")).Should().BeEmpty();
    }

    [Test]
    public async Task A_window_that_passed_is_not_announced_late_and_an_ended_sale_tells_nobody()
    {
        UseSale(announceToEveryone: false);
        (await AnnounceAt(Opens.AddHours(1))).Should().Be(0, "the early windows passed and the sale does not announce to everyone");

        UseSale(announceToEveryone: true, endsAt: "2026-08-25T10:30:00+08:00");
        (await AnnounceAt(Opens.AddHours(1))).Should().Be(0, "the sale ended");
        UseSale(announceToEveryone: true);
        (await AnnounceAt(Opens.AddHours(2))).Should().Be(5);
        (await Announcements("cat")).Should().Equal((false, "Diamond", "2026-08-23T10:00:00.0000000+08:00"));
    }

    [Test]
    public async Task A_customer_who_reaches_gold_after_the_gold_wave_is_told_at_the_opening_once()
    {
        (await AnnounceAt(Opens.AddHours(-20))).Should().Be(3);
        await _h.Ingest(Segment.Order("ann", "a2", 1000m, Opens.AddHours(-19)));
        (await _h.Customer("ann")).Tier!.Tier.Should().Be("Gold");
        (await AnnounceAt(Opens.AddHours(-18))).Should().Be(0, "the Gold wave was gone through");
        (await AnnounceAt(Opens)).Should().Be(2);
        (await Announcements("ann")).Should().Equal((false, "Gold", "2026-08-24T10:00:00.0000000+08:00"));
    }
}

using System.Text.Json.Nodes;
using Automation.Core.Points;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Tiers;

/// <summary>
/// One ingest holding several orders of several customers gives the tiers, history, Tier Changed events and points
/// that ingesting the same messages one at a time gives: a group's commerce is applied in message order.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class TierBatchTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private const string Program = """
        {
          "WindowDays": 365,
          "Tiers": [
            { "Name": "Member" },
            { "Name": "Silver", "MinSpend": 300, "Multiplier": 1.5 },
            { "Name": "Gold", "MinSpend": 1000, "Multiplier": 2 }
          ],
          "SpendBands": [
            { "MinMonthlySpend": 100, "PointsPerCurrencyUnit": 1 },
            { "MinMonthlySpend": 300, "PointsPerCurrencyUnit": 1.5 },
            { "MinMonthlySpend": 500, "PointsPerCurrencyUnit": 2 }
          ]
        }
        """;

    private EngineHarness _h = null!;
    private DirectoryInfo _folder = null!;

    [SetUp]
    public async Task SetUp()
    {
        _folder = Directory.CreateTempSubdirectory("automation-tier-batch-");
        var programFile = Path.Combine(_folder.FullName, "tiers.json");
        await File.WriteAllTextAsync(programFile, Program);
        _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { TiersFile = programFile, Points = new PointsSettings(1m, 12) });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _h.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    /// <summary>The customers' messages, interleaved as a shop would send them; <paramref name="run"/> keeps two runs apart.</summary>
    private static JsonObject[] Messages(string run)
    {
        string C(string name) => $"{name}-{run}";
        string O(string id) => $"{id}-{run}";
        var t = Start.AddHours(-6);
        return
        [
            Segment.Order(C("ann"), O("a1"), 200m, t),                       // Member; month 200: 1 per unit
            Segment.Order(C("eve"), O("e1"), 400m, t.AddMinutes(1)),          // Silver at once
            Segment.Order(C("ann"), O("a2"), 150m, t.AddMinutes(2)),          // 350 reaches Silver: 1.5 × 1.5
            Segment.Order(C("cy"), O("c1"), 100m, t.AddMinutes(3)),
            Segment.Track(C("ann"), "Order Delivered", new { order_id = O("a1") }, t.AddMinutes(4)),
            Segment.Order(C("eve"), O("e2"), 700m, t.AddMinutes(5)),          // 1100: Gold, a second change in the group
            Segment.Order(C("cy"), O("c1"), 100m, t.AddMinutes(6)),           // the same order again: counted once
            Segment.Order(C("dee"), O("d0"), 300m, t.AddMinutes(7)),          // sent before this group too: counted once
            Segment.Track(C("ann"), "Order Delivered", new { order_id = O("c2") }, t.AddMinutes(7)),  // before its order, named by another customer
            Segment.Order(C("cy"), O("c2"), 250m, t.AddMinutes(8)),           // 350 with c1 once: Silver; the order's customer wins
            Segment.Order(C("fay"), O("f1"), 400m, t.AddMinutes(9)),          // Silver
            Segment.Order(C("fay"), O("f2"), 100m, t.AddDays(-2)),            // earlier in the month: its band counts 100 only
            Segment.Order(C("gus"), O("g1"), 400m, t.AddMinutes(10)),         // Silver
            Segment.Track(C("gus"), "Order Refunded", new { order_id = O("g1") }, t.AddMinutes(11)),
            Segment.Order(C("gus"), O("g2"), 100m, t.AddMinutes(12)),         // the refund left 100 in the window
            Segment.Order(C("dee"), O("d1"), 800m, t.AddMinutes(13)),         // 1100 with d0 once: Gold
        ];
    }

    private async Task<object> Outcome(string customer)
    {
        var snapshot = await _h.Customer(customer);
        var history = await _h.Storage.Customers.TierHistoryAsync(snapshot.Profile.Id, CancellationToken.None);
        var events = await _h.Storage.Customers.EventsOfAsync(snapshot.Profile.Id, 1000, CancellationToken.None);
        return new
        {
            Tier = snapshot.Tier?.Tier,
            snapshot.Stats.OrderCount,
            snapshot.Stats.TotalSpent,
            History = history.Select(c => $"{c.From}->{c.To} ({c.Reason} {c.ChangedAt:O})").ToList(),
            TierEvents = events.Where(e => e.Name == "Tier Changed").Reverse().Select(e => JsonNode.Parse(e.Properties)!)
                .Select(p => $"{p["from"]}->{p["to"]} {p["direction"]} {p["multiplier"]}").ToList(),
            Ledger = snapshot.PointsLedger.Select(e => $"{e.Kind} {e.Points} {e.SourceKey.Split(':')[0]} {e.CreatedAt:O}").ToList(),
        };
    }

    [Test]
    public async Task One_ingest_of_several_customers_orders_gives_what_one_message_at_a_time_gives()
    {
        await _h.Ingest(Segment.Order("dee-one", "d0-one", 300m, Start.AddDays(-1)));
        await _h.Ingest(Segment.Order("dee-each", "d0-each", 300m, Start.AddDays(-1)));

        await _h.Ingest(Messages("one"));
        foreach (var message in Messages("each")) await _h.Ingest(message);

        foreach (var name in new[] { "ann", "cy", "dee", "eve", "fay", "gus" })
            (await Outcome($"{name}-one")).Should().BeEquivalentTo(await Outcome($"{name}-each"), o => o.WithStrictOrdering(), name);

        (await _h.Customer("eve-one")).Tier!.Tier.Should().Be("Gold");
        (await _h.Storage.Customers.TierHistoryAsync((await _h.Customer("eve-one")).Profile.Id, CancellationToken.None))
            .Select(c => $"{c.From}->{c.To}").Should().Equal("->Silver", "Silver->Gold");
        Earned(await _h.Customer("ann-one")).Should().Equal([200, 337], "a2 sees a1 in its window and month: Silver's 1.5 at the band's 1.5");
        Earned(await _h.Customer("cy-one")).Should().Equal([100, 562], "c1 once: 350 reaches Silver and the 300 band");
        Earned(await _h.Customer("eve-one")).Should().Equal([900, 2800], "e2 earns at Gold's 2 and the 500 band's 2");
        Earned(await _h.Customer("fay-one")).Should().Equal([150, 900], "f2 (oldest first)'s month counts orders up to its own time: 100 at 1, Silver's 1.5");
        Earned(await _h.Customer("dee-one")).Should().Equal([675, 3200], "d0 earned once, before the group; d1 at Gold's 2 and the 500 band's 2");
        Earned(await _h.Customer("gus-one")).Should().Equal([900, 150], "g2 after the refund: the month's 100 at 1, still Silver's 1.5");
        (await _h.Customer("gus-one")).Tier!.Tier.Should().Be("Silver", "a refund does not take a tier away before the review");
        (await _h.Customer("cy-one")).Stats.OrderCount.Should().Be(2, "c1 counted once, and c2 is cy's although its delivery named ann first");
    }

    private static List<int> Earned(global::Automation.Core.Customers.CustomerSnapshot snapshot) =>
        [.. snapshot.PointsLedger.Where(e => e.Kind == PointsKinds.Earn).Select(e => e.Points)];
}

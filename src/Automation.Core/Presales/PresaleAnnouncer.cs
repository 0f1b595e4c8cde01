using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Core.Tiers;

namespace Automation.Core.Presales;

/// <summary>
/// Announces pre-sales as their windows open: when a sale opens early to a tier, each customer holding it gets a
/// <c>Presale Opened</c> event, and when it opens to everyone (with <see cref="Presale.AnnounceToEveryone"/>) so does
/// every customer not told yet. The event is the seam: journeys (rules/presale-announcement.json) trigger on it.
/// Each customer is claimed once per sale in the statement that records it, a page of customers at a time, so any
/// number of nodes may run this at once; a wave gone through once is noted and not walked again.
/// </summary>
public sealed class PresaleAnnouncer(IIngestionStore store, PresaleCatalog sales, TierCatalog tiers, JourneyEngine journeys, TimeProvider clock)
{
    public const string PresaleOpened = "Presale Opened";

    /// <summary>The wave of customers told when a sale opens to everyone.</summary>
    public const string EveryoneWave = "everyone";

    /// <summary>Customers claimed and handed to the journeys per transaction.</summary>
    public const int PageSize = 500;

    /// <summary>A group of customers told at once: the members of one tier with early access, or everyone.</summary>
    /// <param name="Tier">The tier whose members are told; null for everyone not told before.</param>
    private sealed record Wave(string Key, TierDefinition? Tier, DateTimeOffset OpensAt);

    /// <summary>Announces every wave open at this moment that was not gone through yet; returns how many customers this call told.</summary>
    public async Task<int> AnnounceDueAsync(CancellationToken ct)
    {
        var told = 0;
        foreach (var sale in sales.Sales.Where(s => !s.AnnouncedByBroadcast))
        {
            var program = tiers.Program;
            foreach (var wave in DueWaves(sale, program, clock.GetUtcNow()))
                told += await AnnounceAsync(sale, wave, program, ct);
        }
        return told;
    }

    private static IEnumerable<Wave> DueWaves(Presale sale, TierProgram? program, DateTimeOffset now)
    {
        if (sale.EndedAt(now)) yield break;
        // An early window that has passed is not announced late: the sale is open to everyone by then.
        foreach (var opening in sale.Openings(program).Where(o => o.EarlyHours > 0 && o.OpensAt <= now && now < sale.OpensAt))
            yield return new Wave($"tier:{opening.Tier.Name}", opening.Tier, opening.OpensAt);
        if (sale.AnnounceToEveryone && sale.OpensAt <= now) yield return new Wave(EveryoneWave, null, sale.OpensAt);
    }

    private async Task<int> AnnounceAsync(Presale sale, Wave wave, TierProgram? program, CancellationToken ct)
    {
        await using (var check = await store.BeginAsync(ct))
        {
            if (await check.PresaleWaveDoneAsync(sale.Name, wave.Key, wave.OpensAt, ct)) return 0;
        }
        var told = 0;
        var after = 0L;
        while (true)
        {
            var now = clock.GetUtcNow();
            await using var tx = await store.BeginAsync(ct);
            if (await tx.PresalePageEndAsync(wave.Tier?.Name, after, PageSize, ct) is not { } through)
            {
                await tx.CompletePresaleWaveAsync(sale.Name, wave.Key, wave.OpensAt, now, ct);
                await tx.CommitAsync(ct);
                return told;
            }
            var claimed = await tx.ClaimPresaleAnnouncementsAsync(new PresaleClaim(sale.Name, wave.Key, wave.Tier?.Name, after, through, now), ct);
            var events = claimed.Select(c => (DerivedEvents.Create(c.CustomerId, PresaleOpened, "presale-opened", sale.Name,
                Properties(sale, program?.Find(c.Tier), early: wave.Tier is not null), now), c.CustomerId)).ToList();
            await DerivedEvents.StoreAsync(tx, events, ct);
            await journeys.OnEventsAsync(tx, events, now, ct);
            await tx.CommitAsync(ct);
            told += claimed.Count;
            after = through;
        }
    }

    /// <summary>What templates and journey conditions see of the sale (<c>event.properties.…</c>).</summary>
    public static JsonObject Properties(Presale sale, TierDefinition? tier, bool early) => new()
    {
        ["sale"] = sale.Name,
        ["title"] = sale.Title,
        ["description"] = sale.Description,
        ["early"] = early,
        ["tier"] = tier?.Name,
        ["early_access_hours"] = sale.EarlyHoursFor(tier),
        ["opens_at"] = Text(sale.OpensFor(tier)),
        ["opens_to_everyone_at"] = Text(sale.OpensAt),
        ["ends_at"] = sale.EndsAt is { } ends ? Text(ends) : null,
        ["products"] = sale.Products is { } products ? new JsonArray([.. products.Select(p => (JsonNode)p)]) : "all",
    };

    /// <summary>The properties of a Presale Opened event with sample values, for checking templates; null for other events.</summary>
    public static JsonObject? SampleProperties(string eventName)
    {
        if (eventName != PresaleOpened) return null;
        var sample = new Presale("sample-collection", "The sample collection", "A sample pre-sale", ["SKU-1"],
            new DateTimeOffset(2026, 9, 1, 10, 0, 0, TimeSpan.FromHours(8)), new DateTimeOffset(2026, 9, 8, 10, 0, 0, TimeSpan.FromHours(8)), null,
            new Dictionary<string, int>(), AnnounceToEveryone: true);
        var gold = new TierDefinition("Gold", 2, 1000, 8, 1.5m, TierPerks.None with { EarlyAccessHours = 24 });
        return Properties(sample, gold, early: true);
    }

    private static string Text(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);
}

using System.Globalization;
using Automation.Core.Tiers;

namespace Automation.Core.Presales;

/// <summary>
/// The answer to the shop's question "may this customer buy (this product of) this pre-sale now?", decided from the
/// tier the customer holds at that moment and the clock, with a sentence saying why.
/// </summary>
/// <param name="OpensAt">When the sale opens to this customer (earlier than <paramref name="OpensToEveryoneAt"/> by their tier's early access).</param>
/// <param name="Covered">False when a product was asked about that the sale does not cover.</param>
public sealed record PresaleAccess(bool Allowed, DateTimeOffset OpensAt, DateTimeOffset OpensToEveryoneAt, DateTimeOffset? EndsAt, string? Tier,
    int EarlyAccessHours, bool Covered, string Reason)
{
    /// <summary>Decides for a customer holding <paramref name="tier"/> (null: none) at <paramref name="now"/>, about <paramref name="product"/> when given.</summary>
    public static PresaleAccess Decide(Presale sale, TierDefinition? tier, string? product, DateTimeOffset now)
    {
        var hours = sale.EarlyHoursFor(tier);
        var opensAt = sale.OpensFor(tier);
        PresaleAccess Answer(bool allowed, string reason, bool covered = true) =>
            new(allowed, opensAt, sale.OpensAt, sale.EndsAt, tier?.Name, hours, covered, reason);

        if (product is not null && !sale.Covers(product))
            return Answer(false, $"'{product}' is not part of the pre-sale '{sale.Name}'.", covered: false);
        if (sale.EndedAt(now))
            return Answer(false, $"The pre-sale ended at {Time(sale.EndsAt!.Value)}.");
        var who = tier is null ? "customers without a tier" : $"{tier.Name} members";
        if (now < opensAt)
            return Answer(false, hours > 0
                ? $"Opens to {who} at {Time(opensAt)}, {hours} h before everyone."
                : $"Opens at {Time(opensAt)}; {who} have no early access.");
        return Answer(true, hours > 0 && now < sale.OpensAt
            ? $"Early access for {who}: open since {Time(opensAt)}, {hours} h before everyone."
            : $"Open to everyone since {Time(sale.OpensAt)}.");
    }

    private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);
}

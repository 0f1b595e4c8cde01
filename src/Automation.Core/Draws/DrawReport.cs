using Automation.Core.Storage;

namespace Automation.Core.Draws;

/// <summary>A prize's figures: given against its stock.</summary>
/// <param name="Kind">Null for a prize given once but no longer in the draw's file.</param>
/// <param name="Left">Stock not yet given; null for unlimited.</param>
public sealed record PrizeReport(string Prize, string? Kind, int? Weight, int? Stock, long Given, long? Left, long PointsWon);

/// <summary>A draw's figures: entries, points spent and won, and each prize given against its stock.</summary>
/// <param name="Open">Whether it takes entries now; null for a draw whose file is gone.</param>
public sealed record DrawReport(string Draw, bool? Open, int? EntryCost, long Entries, long PointsSpent, long PointsWon, IReadOnlyList<PrizeReport> Prizes)
{
    /// <summary>
    /// The report of every draw in force and of every draw with entries recorded: the files give the prizes and their
    /// stock, the audit rows what was given.
    /// </summary>
    public static IReadOnlyList<DrawReport> Build(IEnumerable<Draw> draws, IReadOnlyList<DrawPrizeTally> tallies, DateTimeOffset now)
    {
        var byDraw = tallies.ToLookup(t => t.Draw, StringComparer.Ordinal);
        var reports = draws.Select(d => Of(d.Name, d, byDraw[d.Name], now)).ToList();
        var known = reports.Select(r => r.Draw).ToHashSet(StringComparer.Ordinal);
        reports.AddRange(byDraw.Where(g => !known.Contains(g.Key)).Select(g => Of(g.Key, null, g, now)));
        return [.. reports.OrderBy(r => r.Draw, StringComparer.Ordinal)];
    }

    private static DrawReport Of(string name, Draw? draw, IEnumerable<DrawPrizeTally> tallies, DateTimeOffset now)
    {
        var given = tallies.ToDictionary(t => t.Prize, StringComparer.Ordinal);
        var prizes = new List<PrizeReport>();
        foreach (var prize in draw?.Prizes ?? [])
        {
            var tally = given.GetValueOrDefault(prize.Name);
            var count = tally?.Entries ?? 0;
            prizes.Add(new PrizeReport(prize.Name, PrizeKinds.Text(prize.Kind), prize.Weight, prize.Stock, count,
                prize.Stock is { } stock ? Math.Max(0, stock - count) : null, tally?.PointsWon ?? 0));
        }
        var inFile = prizes.Select(p => p.Prize).ToHashSet(StringComparer.Ordinal);
        prizes.AddRange(given.Values.Where(t => !inFile.Contains(t.Prize)).Select(t => new PrizeReport(t.Prize, null, null, null, t.Entries, null, t.PointsWon)));
        return new DrawReport(name, draw?.IsOpenAt(now), draw?.EntryCost, given.Values.Sum(t => t.Entries), given.Values.Sum(t => t.PointsSpent),
            given.Values.Sum(t => t.PointsWon), prizes);
    }
}

using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// The draws' figures and audit rows, for the API and `automation report`.
public abstract partial class AutomationStorage : IDrawQueries
{
    public async Task<IReadOnlyList<DrawPrizeTally>> DrawTalliesAsync(string? draw, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Draw, string Prize, long Entries, long PointsSpent, long PointsWon)>(new CommandDefinition("""
            SELECT draw, prize, COUNT(*), COALESCE(SUM(points_spent), 0), COALESCE(SUM(points_won), 0)
            FROM draw_entries
            WHERE (@draw IS NULL OR draw = @draw) AND prize IS NOT NULL
            GROUP BY draw, prize
            ORDER BY draw, prize
            """, new { draw }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new DrawPrizeTally(r.Draw, r.Prize, r.Entries, r.PointsSpent, r.PointsWon))];
    }

    public async Task<IReadOnlyList<DrawEntryLine>> DrawEntriesAsync(string draw, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DrawEntryRow>(new CommandDefinition($"""
            SELECT {DrawEntryRow.Columns}, COALESCE(c.external_id, c.anonymous_id) AS customer
            FROM draw_entries e JOIN customers c ON c.id = e.customer_id
            WHERE e.draw = @draw AND e.id < @before
            ORDER BY e.id DESC
            LIMIT @limit
            """, new { draw, before = beforeId ?? long.MaxValue, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new DrawEntryLine(r.Customer ?? "", r.ToEntry()))];
    }
}

using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

// The rewards' stock taken and redemptions, for the API.
public abstract partial class AutomationStorage : IRewardQueries
{
    public async Task<IReadOnlyDictionary<string, long>> RewardStockTakenAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Item, long Taken)>(new CommandDefinition(
            "SELECT item, taken FROM reward_stock", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Item, r => r.Taken, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<RewardRedemptionLine>> RewardRedemptionsAsync(string? status, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RewardRedemptionRow>(new CommandDefinition($"""
            SELECT {RewardRedemptionRow.Columns}, COALESCE(c.external_id, c.anonymous_id) AS customer
            FROM reward_redemptions r JOIN customers c ON c.id = r.customer_id
            WHERE (@status IS NULL OR r.status = @status) AND r.id < @before
            ORDER BY r.id DESC
            LIMIT @limit
            """, new { status, before = beforeId ?? long.MaxValue, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new RewardRedemptionLine(r.Customer ?? "", r.ToRedemption()))];
    }
}

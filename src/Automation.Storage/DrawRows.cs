using Automation.Core.Draws;
using Automation.Core.Storage;

namespace Automation.Storage;

/// <summary>A row of <c>draw_entries</c> as Dapper reads it.</summary>
internal sealed class DrawEntryRow
{
    public const string Columns =
        "e.id, e.draw, e.customer_id, e.request_key, e.entered_at, e.local_day, e.points_spent, e.prize, e.prize_kind, e.points_won, e.coupon_code, e.random_value, e.random_range, e.out_of_stock";

    public long Id { get; set; }
    public string Draw { get; set; } = "";
    public long CustomerId { get; set; }
    public string RequestKey { get; set; } = "";
    public DateTimeOffset EnteredAt { get; set; }
    public string LocalDay { get; set; } = "";
    public int PointsSpent { get; set; }
    public string? Prize { get; set; }
    public string? PrizeKind { get; set; }
    public int PointsWon { get; set; }
    public string? CouponCode { get; set; }
    public int? RandomValue { get; set; }
    public int? RandomRange { get; set; }
    public string OutOfStock { get; set; } = "";

    /// <summary>Only for the join that lists entries: the customer's id as the shop knows it.</summary>
    public string? Customer { get; set; }

    public DrawEntry ToEntry() => new(Id,
        new DrawEntryStart(Draw, CustomerId, RequestKey, EnteredAt, LocalDay, PointsSpent),
        new DrawPick(Prize ?? "", PrizeKinds.Parse(PrizeKind) ?? Core.Draws.PrizeKind.Nothing, PointsWon, CouponCode, RandomValue ?? 0, RandomRange ?? 0,
            OutOfStock.Length == 0 ? [] : OutOfStock.Split(',')));
}

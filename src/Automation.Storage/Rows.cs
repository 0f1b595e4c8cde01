using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Storage;

namespace Automation.Storage;

// Rows as Dapper reads them; mapped to Core records in one place each.

internal sealed class CustomerRow
{
    public long Id { get; set; }
    public string? ExternalId { get; set; }
    public string? AnonymousId { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? Name { get; set; }
    public string? Birthday { get; set; }
    public string? Timezone { get; set; }
    public string? Locale { get; set; }
    public JsonObject Traits { get; set; } = [];
    public DateTimeOffset? TraitsUpdatedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public const string Columns =
        "id, external_id, anonymous_id, email, phone, name, birthday, timezone, locale, traits, traits_updated_at, created_at, updated_at";

    /// <summary>
    /// The columns without the traits and the record's times (<see cref="Core.Customers.SnapshotParts.Traits"/>): read as
    /// NULL, they keep their empty defaults and cost no parsing, most of a profile's cost when a scan reads millions.
    /// </summary>
    public const string ColumnsWithoutTraits =
        "id, external_id, anonymous_id, email, phone, name, birthday, timezone, locale, NULL AS traits, NULL AS traits_updated_at, NULL AS created_at, NULL AS updated_at";

    public CustomerProfile ToProfile() => new()
    {
        Id = Id,
        ExternalId = ExternalId,
        AnonymousId = AnonymousId,
        Email = Email,
        Phone = Phone,
        Name = Name,
        Birthday = Birthday is null ? null : DateOnly.ParseExact(Birthday, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        Timezone = Timezone,
        Locale = Locale,
        Traits = Traits,
        TraitsUpdatedAt = TraitsUpdatedAt,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
    };
}

internal sealed class EventRow
{
    public long CustomerId { get; set; }
    public string Name { get; set; } = "";
    public JsonObject Properties { get; set; } = [];
    public DateTimeOffset OccurredAt { get; set; }

    public StoredEvent ToStoredEvent() => new(CustomerId, Name, Properties, OccurredAt);
}

internal sealed class StatsRow
{
    public long CustomerId { get; set; }
    public int OrderCount { get; set; }
    public decimal TotalSpent { get; set; }
    public DateTimeOffset? FirstOrderAt { get; set; }
    public DateTimeOffset? LastOrderAt { get; set; }
    public double? MeanOrderIntervalDays { get; set; }
    public int CouponOrderCount { get; set; }

    public CustomerStats ToStats() => new(OrderCount, TotalSpent, FirstOrderAt, LastOrderAt, MeanOrderIntervalDays, CouponOrderCount);
}

internal sealed class CartRow
{
    public long CustomerId { get; set; }
    public JsonArray Items { get; set; } = [];
    public string? Currency { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public Cart ToCart() => new(ProductJson.ReadLines(Items), Currency, UpdatedAt);
}

/// <summary>Product lines as stored in JSON columns: Segment's snake_case property names.</summary>
internal static class ProductJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static JsonArray Write(IEnumerable<ProductLine> lines) =>
        JsonSerializer.SerializeToNode(lines.ToList(), Options)!.AsArray();

    public static IReadOnlyList<ProductLine> ReadLines(JsonArray array) =>
        array.Deserialize<List<ProductLine>>(Options) ?? [];
}

/// <summary>A row of coupon_codes.</summary>
internal sealed class CouponRow
{
    public const string Columns = "code, campaign, kind, amount, currency, minimum_spend, imported_at, issued_at, expires_at, redeemed_at, order_id";
    public string Code { get; set; } = "";
    public string Campaign { get; set; } = "";
    public long? CustomerId { get; set; }
    public string? IssueKey { get; set; }
    public string? Kind { get; set; }
    public decimal? Amount { get; set; }
    public string? Currency { get; set; }
    public decimal? MinimumSpend { get; set; }
    public DateTimeOffset? ImportedAt { get; set; }
    public DateTimeOffset? IssuedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RedeemedAt { get; set; }
    public string? OrderId { get; set; }

    public Core.Coupons.IssuedCoupon ToCoupon() => new(Campaign, Code,
        new Core.Coupons.CouponValue(Enum.Parse<Core.Coupons.CouponValueKind>(Kind ?? nameof(Core.Coupons.CouponValueKind.AmountOff)), Amount ?? 0, Currency),
        MinimumSpend, IssuedAt ?? DateTimeOffset.MinValue, ExpiresAt);
}

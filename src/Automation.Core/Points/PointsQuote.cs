using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Automation.Core.Points;

/// <summary>
/// A checkout quote: the points a customer may use on one order, until <see cref="ExpiresAt"/>. Its id carries the
/// quote itself rather than naming a stored row: a commit re-checks every rule against the balance of the moment, so
/// an id the shop altered can obtain nothing a fresh quote would refuse, and quotes cost no storage or clean-up.
/// </summary>
public sealed record PointsQuote(string CustomerId, int Points, decimal OrderTotal, string Currency, string? OrderId, DateTimeOffset ExpiresAt)
{
    /// <summary>The id the shop sends back to commit: the quote as base64url JSON (without itself).</summary>
    [JsonIgnore]
    public string Id => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this));

    /// <summary>The quote an id carries, or null for text that is not one.</summary>
    public static PointsQuote? FromId(string id)
    {
        try
        {
            return Base64Url.IsValid(id) && JsonSerializer.Deserialize<PointsQuote>(Base64Url.DecodeFromChars(id)) is { CustomerId: not null, Currency: not null, Points: > 0 } quote
                ? quote : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

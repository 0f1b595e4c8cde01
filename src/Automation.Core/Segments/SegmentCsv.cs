using Automation.Core.Customers;

namespace Automation.Core.Segments;

/// <summary>Writes a segment's members as CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted).</summary>
public static class SegmentCsv
{
    public const string Header = "customerId,externalId,anonymousId,email,phone,name";

    /// <summary>Writes the header and one line per member, as they arrive, so a million members are never held at once.</summary>
    public static async Task<long> WriteAsync(TextWriter writer, IAsyncEnumerable<CustomerSnapshot> members, CancellationToken ct)
    {
        await writer.WriteAsync(Header + "\r\n");
        long written = 0;
        await foreach (var member in members.WithCancellation(ct))
        {
            await writer.WriteAsync(Line(member.Profile));
            written++;
        }
        await writer.FlushAsync(ct);
        return written;
    }

    /// <summary>One member's line, CRLF ended.</summary>
    public static string Line(CustomerProfile member) =>
        string.Join(',', member.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Field(member.ExternalId), Field(member.AnonymousId),
            Field(member.Email), Field(member.Phone), Field(member.Name)) + "\r\n";

    private static string Field(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}

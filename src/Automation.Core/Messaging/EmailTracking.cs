using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Automation.Core.Messaging;

/// <summary>What a tracking link stands for: an open of a message (no URL) or a click through it to <see cref="Url"/>.</summary>
public sealed record TrackingTarget(long MessageId, string? Url)
{
    public bool IsClick => Url is not null;
}

/// <summary>
/// What engagement tracking one sent email carried: the open pixel, and links made redirects. Stored with the message
/// (outbox <c>tracked_opens</c>, <c>tracked_clicks</c>), so reports count opens only over emails that could record
/// one, and say "tracking off" where none could.
/// </summary>
public sealed record CarriedTracking(bool Pixel, bool Links)
{
    public static CarriedTracking None { get; } = new(false, false);
}

/// <summary>
/// Email engagement tracking, off unless <c>Channels:Email:Tracking:Opens</c> / <c>:Clicks</c> say otherwise: an
/// email's HTML gets a 1×1 pixel (<c>/t/o/{token}.gif</c>) and its http(s) links become redirects
/// (<c>/t/c/{token}</c>). A token is the message id and the URL, HMAC-signed with a key derived from the server's
/// signing key (as unsubscribe links are), so an altered one leads nowhere: the server never redirects to a URL it
/// did not sign itself.
/// </summary>
public sealed partial class EmailTracking(byte[] key, string publicUrl, bool opens, bool clicks)
{
    private const int MacBytes = 16;
    private readonly byte[] _macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, info: "automation engagement token v1"u8.ToArray());
    private readonly string _base = publicUrl.TrimEnd('/');

    /// <summary>Tracking that changes nothing: the default.</summary>
    public static EmailTracking Off { get; } = new(new byte[32], "http://localhost", false, false);

    public bool Opens => opens;
    public bool Clicks => clicks;

    /// <summary>The HTML with its links made redirects and the pixel added, as the settings ask, and what it now carries.</summary>
    public (string Html, CarriedTracking Carried) Apply(long messageId, string html)
    {
        var links = false;
        if (clicks)
        {
            html = Href().Replace(html, m =>
            {
                var url = WebUtility.HtmlDecode(m.Groups["url"].Value);
                // The unsubscribe link stays as it is: a redirect in front of it would only slow leaving.
                if (url.StartsWith($"{_base}/u/", StringComparison.Ordinal)) return m.Value;
                links = true;
                return $"{m.Groups["before"].Value}{WebUtility.HtmlEncode($"{_base}/t/c/{Token(messageId, url)}")}\"";
            });
        }
        if (!opens) return (html, new CarriedTracking(false, links));
        var pixel = $"<img src=\"{_base}/t/o/{Token(messageId, null)}.gif\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">";
        var bodyEnd = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return (bodyEnd < 0 ? html + pixel : html.Insert(bodyEnd, pixel), new CarriedTracking(true, links));
    }

    public string Token(long messageId, string? url)
    {
        var payload = Encoding.UTF8.GetBytes(url is null ? $"o\n{messageId}" : $"c\n{messageId}\n{url}");
        return $"{Base64Url(payload)}.{Base64Url(HMACSHA256.HashData(_macKey, payload).AsSpan(0, MacBytes))}";
    }

    /// <summary>What a genuine token stands for; null for a forged, altered or malformed one.</summary>
    public TrackingTarget? Read(string token)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0) return null;
        try
        {
            var payload = FromBase64Url(token[..dot]);
            var expected = HMACSHA256.HashData(_macKey, payload).AsSpan(0, MacBytes);
            if (!CryptographicOperations.FixedTimeEquals(FromBase64Url(token[(dot + 1)..]), expected)) return null;
            var parts = Encoding.UTF8.GetString(payload).Split('\n', 3);
            if (!long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var id)) return null;
            return parts switch
            {
                ["o", _] => new TrackingTarget(id, null),
                ["c", _, var url] when Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" => new TrackingTarget(id, url),
                _ => null,
            };
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex("(?<before><a\\s[^>]*?href=\")(?<url>https?://[^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex Href();

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }
}

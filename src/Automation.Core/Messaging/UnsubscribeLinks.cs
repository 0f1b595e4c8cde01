using System.Security.Cryptography;
using System.Text;

namespace Automation.Core.Messaging;

/// <summary>
/// Signed one-click unsubscribe links (<c>/u/{token}</c>): the token names the channel and the address and carries an
/// HMAC-SHA256 of both, so it needs no login and cannot be forged for someone else.
/// </summary>
public sealed class UnsubscribeLinks(byte[] key, string publicUrl)
{
    private const int MacBytes = 16;

    public string UrlFor(string channel, string address) => $"{publicUrl.TrimEnd('/')}/u/{Token(channel, address)}";

    public string Token(string channel, string address)
    {
        var payload = Encoding.UTF8.GetBytes($"{channel}\n{address}");
        var mac = HMACSHA256.HashData(key, payload).AsSpan(0, MacBytes);
        return $"{Base64Url(payload)}.{Base64Url(mac)}";
    }

    /// <summary>The channel and address of a genuine token; null for anything else.</summary>
    public (string Channel, string Address)? Read(string token)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0) return null;
        try
        {
            var payload = FromBase64Url(token[..dot]);
            var mac = FromBase64Url(token[(dot + 1)..]);
            var expected = HMACSHA256.HashData(key, payload).AsSpan(0, MacBytes);
            if (!CryptographicOperations.FixedTimeEquals(mac, expected)) return null;
            var parts = Encoding.UTF8.GetString(payload).Split('\n', 2);
            return parts.Length == 2 ? (parts[0], parts[1]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Automation.Core.Messaging;

/// <summary>Whom an unsubscribe link is for: the channel, the address, and the customer's locale for the page.</summary>
public sealed record UnsubscribeTarget(string Channel, string Address, string? Locale);

/// <summary>
/// One-click unsubscribe links (<c>/u/{token}</c>) that need no login and cannot be forged for someone else. The
/// token is opaque: the channel, address and locale sealed with AES-GCM under a key derived from the signing key, so a
/// link forwarded or logged does not show whose it is. Links of the earlier signed form (the address readable, an
/// HMAC beside it) in messages already sent are still honoured; none are made any more.
/// </summary>
public sealed class UnsubscribeLinks(byte[] key, string publicUrl)
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int LegacyMacBytes = 16;

    private readonly byte[] _sealingKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, info: "automation unsubscribe token v2"u8.ToArray());

    public string UrlFor(string channel, string address, string? locale = null) => $"{publicUrl.TrimEnd('/')}/u/{Token(channel, address, locale)}";

    public string Token(string channel, string address, string? locale = null)
    {
        var plain = Encoding.UTF8.GetBytes($"{channel}\n{address}\n{locale}");
        var sealedToken = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedToken.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_sealingKey, TagBytes);
        aes.Encrypt(nonce, plain, sealedToken.AsSpan(NonceBytes, plain.Length), sealedToken.AsSpan(NonceBytes + plain.Length));
        return Base64Url(sealedToken);
    }

    /// <summary>Whom a genuine token is for; null for anything else.</summary>
    public UnsubscribeTarget? Read(string token)
    {
        try
        {
            return token.Contains('.') ? ReadLegacy(token) : ReadSealed(FromBase64Url(token));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private UnsubscribeTarget? ReadSealed(byte[] sealedToken)
    {
        if (sealedToken.Length < NonceBytes + TagBytes) return null;
        var plain = new byte[sealedToken.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(_sealingKey, TagBytes);
            aes.Decrypt(sealedToken.AsSpan(0, NonceBytes), sealedToken.AsSpan(NonceBytes, plain.Length), sealedToken.AsSpan(NonceBytes + plain.Length), plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        var parts = Encoding.UTF8.GetString(plain).Split('\n');
        return parts.Length == 3 ? new UnsubscribeTarget(parts[0], parts[1], parts[2].Length == 0 ? null : parts[2]) : null;
    }

    // The form links had before tokens were sealed: channel and address in base64, then a truncated HMAC of them.
    private UnsubscribeTarget? ReadLegacy(string token)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0) return null;
        var payload = FromBase64Url(token[..dot]);
        var mac = FromBase64Url(token[(dot + 1)..]);
        var expected = HMACSHA256.HashData(key, payload).AsSpan(0, LegacyMacBytes);
        if (!CryptographicOperations.FixedTimeEquals(mac, expected)) return null;
        var parts = Encoding.UTF8.GetString(payload).Split('\n', 2);
        return parts.Length == 2 ? new UnsubscribeTarget(parts[0], parts[1], null) : null;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }
}

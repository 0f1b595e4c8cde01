using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Automation.Core.Teams;

/// <summary>
/// A team's share link (<c>/t/{token}</c>): the team id and an HMAC of it under a key derived from the server's signing
/// key, so a link cannot be made up for a team nobody shared, and any node of a cluster reads the links of the others.
/// </summary>
public sealed class TeamLinks(byte[] signingKey, string publicUrl)
{
    private const int MacBytes = 12;

    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, signingKey, 32, info: "automation team link v1"u8.ToArray());

    public string UrlFor(long teamId) => $"{publicUrl.TrimEnd('/')}/t/{Token(teamId)}";

    public string Token(long teamId)
    {
        var id = teamId.ToString(CultureInfo.InvariantCulture);
        return $"{id}.{Base64Url.EncodeToString(Mac(id))}";
    }

    /// <summary>The team of a genuine token; null for anything else.</summary>
    public long? Read(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var teamId)) return null;
        var id = token[..dot];
        if (id != teamId.ToString(CultureInfo.InvariantCulture)) return null;
        var encodedMac = token.AsSpan(dot + 1);
        var mac = new byte[MacBytes];
        // A 12-byte MAC is exactly 16 characters: anything else is not ours (and would not decode cleanly).
        if (encodedMac.Length != 16 || !Base64Url.IsValid(encodedMac) || !Base64Url.TryDecodeFromChars(encodedMac, mac, out var written) || written != MacBytes) return null;
        return CryptographicOperations.FixedTimeEquals(mac, Mac(id)) ? teamId : null;
    }

    private byte[] Mac(string id) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"team\n{id}"))[..MacBytes];
}

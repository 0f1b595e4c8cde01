using System.Security.Cryptography;
using Automation.Server.Configuration;

namespace Automation.Server.Hosting;

/// <summary>The server's signing key, loaded once: unsubscribe links, team share links and referral codes derive their keys from it.</summary>
internal sealed record ServerSigningKey(byte[] Bytes);

/// <summary>The key that signs unsubscribe links: configured, or generated once into data/signing.key for a single node.</summary>
internal static class SigningKey
{
    public static byte[] Load(MessagingOptions options, string contentRoot)
    {
        if (options.SigningKey is { } configured) return Convert.FromBase64String(configured);
        var file = Path.Combine(contentRoot, "data", "signing.key");
        if (File.Exists(file)) return Convert.FromBase64String(File.ReadAllText(file).Trim());
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var key = RandomNumberGenerator.GetBytes(32);
        // Readable by the server's user alone: whoever reads it can forge unsubscribe links for anyone.
        var creation = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) creation.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(file, creation))
        using (var writer = new StreamWriter(stream))
            writer.Write(Convert.ToBase64String(key));
        return key;
    }
}

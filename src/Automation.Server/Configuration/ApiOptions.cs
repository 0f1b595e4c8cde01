using System.Net;
using Microsoft.Extensions.Options;

namespace Automation.Server.Configuration;

/// <summary>The <c>Api</c> section of appsettings.json.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>
    /// The key shipped in appsettings.json so a new user can try the API at once. Everyone knows it, so the server
    /// refuses to listen beyond loopback while it is configured.
    /// </summary>
    public const string DevelopmentKey = "automation-dev-key-local-only";

    internal const int MinimumKeyLength = 16;

    /// <summary>
    /// Accepted API keys, as <c>Authorization: Bearer KEY</c> or Segment's Basic auth (key as user name), each with its
    /// scopes: <c>Api:Keys:N:Key</c> and <c>Api:Keys:N:Scopes</c> (and an optional <c>Api:Keys:N:Name</c>, the key's
    /// name in the audit log), or <c>Api:Keys:N</c> as a plain string for a key with every scope.
    /// </summary>
    public IReadOnlyList<ApiKey> Keys { get; set; } = [];

    /// <summary>
    /// Reads <c>Api:Keys</c>, where an entry is a plain key (every scope) or an object with <c>Key</c>, <c>Scopes</c> and
    /// <c>Name</c>; a key without a name is named by its place, <c>Api:Keys:N</c>.
    /// </summary>
    internal static IReadOnlyList<ApiKey> Read(IConfigurationSection keys) =>
    [
        // An object's Key wins over a plain value in the same place: an environment variable overriding appsettings.json.
        .. keys.GetChildren().Select(entry => (entry["Key"] is { } key || entry.Value is null
            ? new ApiKey(entry["Key"] ?? "", entry.GetSection("Scopes").Get<string[]>() ?? [])
            : new ApiKey(entry.Value, Http.ApiScopes.All)) with { Name = string.IsNullOrWhiteSpace(entry["Name"]) ? $"{Section}:Keys:{entry.Key}" : entry["Name"]!.Trim() }),
    ];
}

/// <summary>One API key and the scopes it holds (see <see cref="Http.ApiScopes"/>).</summary>
public sealed record ApiKey(string Key, IReadOnlyList<string> Scopes)
{
    /// <summary>What the audit log calls the key's actions: its configured name, else its place in <c>Api:Keys</c>; never the key.</summary>
    public string Name { get; init; } = "";
}

/// <summary>Checks the keys, and that the shared development key is never reachable from another machine.</summary>
internal sealed class ApiOptionsValidator(IConfiguration configuration) : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        if (options.Keys.Count == 0)
            return ValidateOptionsResult.Fail("Api:Keys must list at least one API key.");
        for (var i = 0; i < options.Keys.Count; i++)
        {
            if (options.Keys[i].Key.Length < ApiOptions.MinimumKeyLength)
                return ValidateOptionsResult.Fail($"Api:Keys:{i} must be at least {ApiOptions.MinimumKeyLength} characters long.");
            var scopes = options.Keys[i].Scopes;
            if (scopes.Count == 0)
                return ValidateOptionsResult.Fail($"Api:Keys:{i}:Scopes must list one or more of {string.Join(", ", Http.ApiScopes.All)}.");
            if (scopes.FirstOrDefault(s => !Http.ApiScopes.All.Contains(s)) is { } unknown)
                return ValidateOptionsResult.Fail($"Api:Keys:{i}:Scopes: '{unknown}' is not a scope; use {string.Join(", ", Http.ApiScopes.All)}.");
        }
        if (options.Keys.Any(k => k.Key == ApiOptions.DevelopmentKey) && ServerUrls.Bound(configuration).FirstOrDefault(b => !IsLoopback(b.Url)) is ({ } setting, { } open))
            return ValidateOptionsResult.Fail(
                $"Api:Keys holds the shipped development key, which only works on loopback addresses, but {setting} includes '{open}'. Replace Api:Keys with your own key.");
        return ValidateOptionsResult.Success;
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

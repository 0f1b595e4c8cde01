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

    /// <summary>Accepted API keys, as <c>Authorization: Bearer KEY</c> or Segment's Basic auth (key as user name).</summary>
    public string[] Keys { get; set; } = [];
}

/// <summary>Checks the keys, and that the shared development key is never reachable from another machine.</summary>
internal sealed class ApiOptionsValidator(IConfiguration configuration) : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        if (options.Keys.Length == 0)
            return ValidateOptionsResult.Fail("Api:Keys must list at least one API key.");
        for (var i = 0; i < options.Keys.Length; i++)
        {
            if ((options.Keys[i]?.Length ?? 0) < ApiOptions.MinimumKeyLength)
                return ValidateOptionsResult.Fail($"Api:Keys:{i} must be at least {ApiOptions.MinimumKeyLength} characters long.");
        }
        if (options.Keys.Contains(ApiOptions.DevelopmentKey) && ServerUrls.Bound(configuration).FirstOrDefault(b => !IsLoopback(b.Url)) is ({ } setting, { } open))
            return ValidateOptionsResult.Fail(
                $"Api:Keys holds the shipped development key, which only works on loopback addresses, but {setting} includes '{open}'. Replace Api:Keys with your own key.");
        return ValidateOptionsResult.Success;
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

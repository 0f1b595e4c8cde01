namespace Automation.Server.Configuration;

/// <summary>The <c>Urls</c> setting: where the server listens.</summary>
internal static class ServerUrls
{
    public const string Default = "http://127.0.0.1:5080";

    /// <summary>
    /// Every address the server will listen on, from every source: <c>Urls</c>, and each <c>Kestrel:Endpoints:NAME:Url</c>
    /// (the usual way to add HTTPS), which Kestrel binds in addition to or instead of <c>Urls</c>.
    /// </summary>
    public static IReadOnlyList<(string Setting, Uri Url)> Bound(IConfiguration configuration)
    {
        var bound = Parse(configuration["Urls"], out _).Select(u => ("Urls", u)).ToList();
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
            bound.AddRange(Parse(endpoint["Url"] ?? "", out _).Select(u => ($"Kestrel:Endpoints:{endpoint.Key}:Url", u)));
        return bound;
    }

    /// <summary>
    /// The listening addresses, with wildcards (<c>*</c>, <c>+</c>) read as 0.0.0.0, which is not loopback.
    /// <paramref name="problem"/> names the first entry that is not an http(s) address.
    /// </summary>
    public static IReadOnlyList<Uri> Parse(string? urls, out string? problem)
    {
        problem = null;
        var parsed = new List<Uri>();
        foreach (var entry in (urls ?? Default).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var normalized = entry.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0");
            if (Uri.TryCreate(normalized, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                parsed.Add(uri);
            else
                problem ??= $"Urls must be ';'-separated http:// or https:// addresses such as {Default}, not '{entry}'.";
        }
        return parsed;
    }
}

using Microsoft.Extensions.Options;

namespace Automation.Server.Configuration;

/// <summary>Settings of the <c>Content</c> section: where the rules and templates the server runs come from.</summary>
public sealed class ContentOptions
{
    public const string Section = "Content";

    /// <summary>The folders on disk are the source (each change recorded as a version).</summary>
    public const string Files = "files";

    /// <summary>The version published in the database is the source: every node runs it (the folders are imported once).</summary>
    public const string Database = "database";

    /// <summary><see cref="Files"/> (the default) or <see cref="Database"/>.</summary>
    public string Source { get; set; } = Files;

    /// <summary>With <see cref="Database"/>: how often each node looks for a newly published version.</summary>
    public int PollSeconds { get; set; } = 5;

    public bool FromDatabase => string.Equals(Source, Database, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Names the setting at fault, so a typo stops start-up rather than silently running the folders.</summary>
internal sealed class ContentOptionsValidator : IValidateOptions<ContentOptions>
{
    public ValidateOptionsResult Validate(string? name, ContentOptions options)
    {
        if (!string.Equals(options.Source, ContentOptions.Files, StringComparison.OrdinalIgnoreCase) && !options.FromDatabase)
            return ValidateOptionsResult.Fail($"Content:Source must be {ContentOptions.Files} or {ContentOptions.Database}, not '{options.Source}'.");
        if (options.PollSeconds is < 1 or > 3600)
            return ValidateOptionsResult.Fail($"Content:PollSeconds must be from 1 to 3600, not {options.PollSeconds}.");
        return ValidateOptionsResult.Success;
    }
}

namespace Automation.Core.Products;

/// <summary>
/// The <c>Replenishment</c> settings: how many days before a product should run out its reminder goes
/// (<see cref="LeadDays"/>), how far ahead other products are gathered into the same message
/// (<see cref="WindowDays"/>), the cycle of a product whose usage is unknown and that the customer bought once
/// (<see cref="DefaultCycleDays"/>, 0 for no reminder), and the shop's reorder link (<see cref="ReorderUrl"/>, where
/// <c>{products}</c> becomes the comma-separated product ids). appsettings.json ships the playbook's defaults.
/// </summary>
public sealed record ReplenishmentSettings
{
    public const string Section = "Replenishment";

    public int LeadDays { get; init; } = 3;
    public int WindowDays { get; init; } = 3;
    public int DefaultCycleDays { get; init; }
    public string? ReorderUrl { get; init; }

    /// <summary>What is wrong with these settings, naming each setting, or nothing.</summary>
    public IEnumerable<string> Problems()
    {
        if (LeadDays is < 0 or > 60) yield return $"{Section}:{nameof(LeadDays)} must be from 0 to 60 days, not {LeadDays}";
        if (WindowDays is < 0 or > 30) yield return $"{Section}:{nameof(WindowDays)} must be from 0 to 30 days, not {WindowDays}";
        if (DefaultCycleDays is < 0 or > 3650) yield return $"{Section}:{nameof(DefaultCycleDays)} must be from 0 (none) to 3650 days, not {DefaultCycleDays}";
        if (ReorderUrl is { } url && !(Uri.TryCreate(url.Replace("{products}", "p", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            yield return $"{Section}:{nameof(ReorderUrl)} must be an absolute http(s) URL with {{products}} where the product ids go, not '{url}'";
    }
}

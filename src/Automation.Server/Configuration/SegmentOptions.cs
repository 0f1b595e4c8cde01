namespace Automation.Server.Configuration;

/// <summary>Settings of the <c>Segments</c> section.</summary>
public sealed class SegmentOptions
{
    public const string Section = "Segments";

    /// <summary>How long a segment's count is reused before it is counted again, so the list page stays cheap.</summary>
    public int CountCacheSeconds { get; set; } = 60;
}

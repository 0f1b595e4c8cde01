namespace Automation.Core.Tags;

/// <summary>Where a customer's tag came from; only rule tags are taken away by the rules.</summary>
public static class TagSources
{
    public const string Rule = "rule";
    public const string Manual = "manual";
    public const string TagAdded = "Tag Added";
    public const string TagRemoved = "Tag Removed";
}

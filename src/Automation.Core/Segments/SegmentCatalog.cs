using Automation.Core.Journeys;

namespace Automation.Core.Segments;

/// <summary>
/// The segments of <c>rules/segments/</c>, reloaded with the rest of the rules: a file that turns bad is reported and
/// its last good version keeps counting; a file that is removed is gone.
/// </summary>
public sealed class SegmentCatalog : LastGoodFolder<Segment>
{
    /// <summary>The folder of <c>rules/</c> segments are read from.</summary>
    public const string FolderName = "segments";

    /// <summary>The segments in force, last good versions included, in name order.</summary>
    public IReadOnlyList<Segment> Segments => Items;

    protected override (Segment? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8) => SegmentFileReader.Read(file, utf8);
}

namespace Automation.Core.Journeys;

/// <summary>Why a journey file was rejected, printed as <c>file:line rule: reason</c>.</summary>
public sealed record JourneyProblem(string File, int Line, string? Rule, string Reason)
{
    public override string ToString() => Rule is null ? $"{File}:{Line}: {Reason}" : $"{File}:{Line} {Rule}: {Reason}";
}

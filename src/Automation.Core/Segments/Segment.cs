using Automation.Core.Journeys;

namespace Automation.Core.Segments;

/// <summary>
/// A named group of customers, <c>rules/segments/&lt;name&gt;.json</c>: those for whom <see cref="Rule"/> holds, over the
/// same facts journeys see.
/// </summary>
/// <param name="Rule">The expression, compiled with the journeys' settings and allow-list.</param>
public sealed record Segment(string Name, string Description, string Expression, CompiledRule Rule, string File);

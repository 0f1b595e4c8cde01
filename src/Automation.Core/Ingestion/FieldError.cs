namespace Automation.Core.Ingestion;

/// <summary>A problem with one field of an input, named by its JSON path (for example <c>batch[2].properties.order_id</c>).</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

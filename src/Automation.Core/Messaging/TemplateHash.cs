using Fluid;
using Fluid.Values;

namespace Automation.Core.Messaging;

/// <summary>
/// A hash of the template model (<c>customer</c>, <c>cart.items[0]</c>, <c>shop</c>…) as templates see it, strict: a key
/// that is not there fails the render ("Variable 'customer.nickname' could not be found"), never prints blank; a key
/// whose value is null is nil, so <c>{% if tier.next.name %}</c> and <c>| default:</c> work on it.
/// </summary>
/// <remarks>
/// Fluid's own <c>StrictVariables</c> cannot say this: it fails on every nil, present or not, and names only the last
/// segment of the path. Values are converted once per model, not per render.
/// </remarks>
public sealed class TemplateHash : FluidValue
{
    private readonly Dictionary<string, FluidValue> _values;
    private readonly TemplateHash? _parent;
    private readonly string? _name;

    internal TemplateHash(Dictionary<string, FluidValue> values, TemplateHash? parent, string? name)
    {
        _values = values;
        _parent = parent;
        _name = name;
    }

    /// <summary>The value of a key (a nested <see cref="TemplateHash"/>, an array, a string, a number, a date or nil).</summary>
    public FluidValue this[string key] => _values[key];

    /// <summary>Where this hash is in the model: <c>customer</c>, <c>cart.items[0]</c>; empty for the model itself.</summary>
    public string Path => _parent is null || _parent._name is null ? _name ?? "" : $"{_parent.Path}.{_name}";

    public override FluidValues Type => FluidValues.Dictionary;

    public override ValueTask<FluidValue> GetValueAsync(string name, TemplateContext context)
    {
        if (_values.TryGetValue(name, out var value)) return value;
        if (name == "size") return NumberValue.Create(_values.Count);
        throw new FluidException($"Variable '{(Path.Length == 0 ? name : $"{Path}.{name}")}' could not be found");
    }

    public override ValueTask<FluidValue> GetIndexAsync(FluidValue index, TemplateContext context) => GetValueAsync(index.ToStringValue(context), context);

    public override ValueTask<bool> ContainsAsync(FluidValue value, TemplateContext context) => new(_values.ContainsKey(value.ToStringValue(context)));

    public override bool Equals(FluidValue other) => ReferenceEquals(this, other) || (other.Type == FluidValues.Empty && _values.Count == 0);

    public override bool ToBooleanValue(TemplateContext context) => true;

    public override decimal ToNumberValue(TemplateContext context) => 0;

    public override string ToStringValue(TemplateContext context) => "";

    public override object ToObjectValue(TemplateContext context) => _values;

    public override bool Equals(object? obj) => obj is FluidValue other && Equals(other);

    public override int GetHashCode() => _values.GetHashCode();
}

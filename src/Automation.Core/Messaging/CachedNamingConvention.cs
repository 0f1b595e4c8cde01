using System.Collections.Concurrent;
using DotLiquid.NamingConventions;

namespace Automation.Core.Messaging;

/// <summary>
/// DotLiquid's Ruby naming convention (<c>first_name</c> for <c>FirstName</c>), remembered per name. DotLiquid asks it
/// for every filter method of every filter class on every render (each render builds its own filter table), and the
/// Ruby convention answers with regular expressions: measured at over a third of the CPU time of sending an email.
/// </summary>
internal sealed class CachedNamingConvention : INamingConvention
{
    private readonly RubyNamingConvention _ruby = new();
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);

    public StringComparer StringComparer => _ruby.StringComparer;

    public string GetMemberName(string name) => _names.GetOrAdd(name, _ruby.GetMemberName);

    public bool OperatorEquals(string testedOperator, string referenceOperator) => _ruby.OperatorEquals(testedOperator, referenceOperator);
}

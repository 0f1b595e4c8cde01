using System.Linq.Expressions;
using System.Reflection;

namespace Automation.Core.Journeys;

/// <summary>
/// Admits a parsed rule expression only when every node is one a marketer's rule needs: the facts' documented members,
/// and a listed set of members of strings, numbers and collections, and of the LINQ methods that walk a collection once.
/// It checks the tree the parser built, so a member is matched as the parser resolved it (Dynamic LINQ ignores case:
/// <c>gettype()</c> is <see cref="object.GetType"/> here), and no spelling or path reaches reflection, the clock,
/// randomness or I/O. Methods that repeat work without bound (<c>Enumerable.Range</c>, <c>Repeat</c>,
/// <c>Aggregate</c>) or allocate on a number's say (<c>PadLeft</c>, <c>new string(c, n)</c>) are not listed, so a valid
/// rule cannot freeze or exhaust the server; <see cref="RuleBudget"/> bounds what is left.
/// </summary>
internal sealed class ExpressionAllowList : ExpressionVisitor
{
    private static readonly Type[] FactTypes =
        [typeof(CustomerFacts), typeof(StatsFacts), typeof(CartFacts), typeof(EventFacts), typeof(JourneyFacts), typeof(NowFacts), typeof(RfmFacts), typeof(PerksFacts)];

    private static readonly HashSet<Type> Numbers =
        [typeof(byte), typeof(short), typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal), typeof(bool), typeof(char)];

    private static readonly HashSet<string> NumberMembers = ["CompareTo", "Equals", "ToString", "Parse", "MaxValue", "MinValue", "Round", "Floor", "Ceiling", "Truncate", "Abs"];

    private static readonly HashSet<string> StringMembers =
    [
        "Length", "Chars", "get_Chars", "Contains", "StartsWith", "EndsWith", "IndexOf", "LastIndexOf", "Substring", "ToLower", "ToUpper",
        "ToLowerInvariant", "ToUpperInvariant", "Trim", "TrimStart", "TrimEnd", "Equals", "CompareTo", "Compare", "CompareOrdinal",
        "IsNullOrEmpty", "IsNullOrWhiteSpace", "Concat", "ToString", "Empty",
    ];

    private static readonly HashSet<string> MathMembers = ["Abs", "Min", "Max", "Round", "Floor", "Ceiling", "Sign", "Truncate", "Sqrt", "Pow"];

    private static readonly HashSet<string> ConvertMembers = ["ToInt32", "ToInt64", "ToDecimal", "ToDouble", "ToString", "ToBoolean"];

    /// <summary>Each walks its source once or a fixed number of times; none makes a sequence out of nothing.</summary>
    private static readonly HashSet<string> EnumerableMembers =
    [
        "Any", "All", "Count", "LongCount", "Sum", "Min", "Max", "Average", "Contains", "Where", "Select", "First", "FirstOrDefault",
        "Last", "LastOrDefault", "Single", "SingleOrDefault", "Distinct", "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending",
        "Take", "Skip", "ToList", "ToArray", "Except", "Intersect", "Union", "Concat", "ElementAt", "ElementAtOrDefault", "DefaultIfEmpty",
    ];

    private static readonly HashSet<string> CollectionMembers = ["Count", "Length", "Item", "get_Item", "Keys", "Values", "ContainsKey", "Contains", "Key", "Value"];

    private static readonly HashSet<Type> Collections =
    [
        typeof(IEnumerable<>), typeof(IReadOnlyCollection<>), typeof(IReadOnlyList<>), typeof(IReadOnlyDictionary<,>), typeof(ICollection<>),
        typeof(IList<>), typeof(IDictionary<,>), typeof(List<>), typeof(Dictionary<,>), typeof(KeyValuePair<,>), typeof(Array),
    ];

    private static readonly HashSet<ExpressionType> Refused =
    [
        ExpressionType.New, ExpressionType.NewArrayBounds, ExpressionType.MemberInit, ExpressionType.ListInit, ExpressionType.Invoke,
        ExpressionType.Dynamic, ExpressionType.Extension, ExpressionType.Quote, ExpressionType.Loop, ExpressionType.Goto, ExpressionType.Label,
        ExpressionType.Try, ExpressionType.Throw, ExpressionType.Block, ExpressionType.Assign, ExpressionType.RuntimeVariables,
    ];

    /// <summary>Why the parsed expression is refused, or null when every node is allowed.</summary>
    public static string? Problem(Expression parsed)
    {
        try
        {
            new ExpressionAllowList().Visit(parsed);
            return null;
        }
        catch (RefusedException refused)
        {
            return $"{refused.Message} is not allowed in an expression: use the customer, stats, cart, event, journey and now facts, and the string, number and list methods in docs/rules.md";
        }
    }

    // Children are checked before their parent, so the first member named is the one that strays
    // (Object.GetType() in customer.Name.GetType().Assembly), not what was reached through it.
    public override Expression? Visit(Expression? node)
    {
        if (node is null) return node;
        if (Refused.Contains(node.NodeType))
            return Refuse(node.NodeType == ExpressionType.New ? $"creating a '{Describe(node.Type)}'" : $"a {node.NodeType} expression");
        var visited = base.Visit(node);
        return node.NodeType != ExpressionType.Lambda && Dangerous(node.Type) ? Refuse($"a value of type '{Describe(node.Type)}'") : visited;
    }

    protected override Expression VisitMember(MemberExpression node) =>
        Check(base.VisitMember(node), node.Member, "");

    protected override Expression VisitMethodCall(MethodCallExpression node) =>
        Check(base.VisitMethodCall(node), node.Method, "()");

    protected override Expression VisitIndex(IndexExpression node) =>
        Check(base.VisitIndex(node), node.Indexer, "");

    protected override Expression VisitBinary(BinaryExpression node) =>
        Check(base.VisitBinary(node), node.Method, "");

    protected override Expression VisitUnary(UnaryExpression node) =>
        Check(base.VisitUnary(node), node.Method, "");

    protected override Expression VisitConstant(ConstantExpression node) =>
        node.Value is null or string || Numbers.Contains(node.Value.GetType()) || node.Value.GetType().IsEnum
            ? node
            : Refuse($"a constant of type '{Describe(node.Type)}'");

    private static Expression Check(Expression visited, MemberInfo? member, string suffix) =>
        member is null || Allowed(member) ? visited : Refuse($"'{Describe(member)}{suffix}'");

    private static Expression Refuse(string what) => throw new RefusedException(what);

    /// <summary>Stops the walk at the first node refused: nothing is rebuilt around it.</summary>
    private sealed class RefusedException(string what) : Exception(what);

    private static bool Allowed(MemberInfo member)
    {
        var owner = member.DeclaringType;
        if (owner is null) return false;
        // ToString and Equals answer the same everywhere; GetHashCode differs between processes, GetType is reflection.
        if (owner == typeof(object) || owner == typeof(ValueType)) return member.Name is "ToString" or "Equals" && member is MethodInfo { IsStatic: false };
        if (member is MethodInfo { IsSpecialName: true } op && op.Name.StartsWith("op_", StringComparison.Ordinal))
            return owner == typeof(string) || Numbers.Contains(owner) || Nullable.GetUnderlyingType(owner) is { } n && Numbers.Contains(n);
        if (FactTypes.Contains(owner)) return true;
        var name = member.Name;
        if (owner == typeof(string)) return StringMembers.Contains(name);
        if (Numbers.Contains(owner)) return NumberMembers.Contains(name);
        if (owner == typeof(Math)) return MathMembers.Contains(name);
        if (owner == typeof(Convert)) return ConvertMembers.Contains(name);
        if (owner == typeof(Enumerable)) return EnumerableMembers.Contains(name);
        if (Nullable.GetUnderlyingType(owner) is not null || owner.IsGenericType && owner.GetGenericTypeDefinition() == typeof(Nullable<>))
            return name is "HasValue" or "Value" or "GetValueOrDefault";
        var definition = owner.IsGenericType ? owner.GetGenericTypeDefinition() : owner;
        return Collections.Contains(definition) && CollectionMembers.Contains(name);
    }

    /// <summary>Reflection, delegates and anything that is a handle on code or the process.</summary>
    private static bool Dangerous(Type type) =>
        typeof(MemberInfo).IsAssignableFrom(type) || typeof(Assembly).IsAssignableFrom(type) || typeof(Module).IsAssignableFrom(type)
        || typeof(Delegate).IsAssignableFrom(type) || type.Namespace?.StartsWith("System.Reflection", StringComparison.Ordinal) == true
        || type.Namespace?.StartsWith("System.Runtime", StringComparison.Ordinal) == true || type.Namespace is "System.IO" or "System.Diagnostics" or "System.Threading";

    private static string Describe(MemberInfo member) => $"{Describe(member.DeclaringType)}.{member.Name}";

    private static string Describe(Type? type) => type is null ? "?" : type.IsGenericType ? type.Name[..type.Name.IndexOf('`')] : type.Name;
}

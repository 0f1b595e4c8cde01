using System.Linq.Expressions;

namespace Automation.Core.Journeys;

/// <summary>
/// Reads an <see cref="AudienceBound"/> off a compiled expression: <c>&amp;&amp;</c> and <c>||</c> of comparisons of a
/// few facts with constants (or params set to constants). The comparisons of one fact joined by <c>&amp;&amp;</c> make
/// a range, and each range it knows gives a condition its fact implies, loosened by a day where a time is involved;
/// time in the journey (of a step or exit) at least a number bounds the instance's entry, loosened by a minute;
/// anything else — another fact, a method, a negation — gives <see cref="AudienceBound.Everyone"/>, so the bound is
/// never narrower than the audience.
/// </summary>
internal static class AudienceBoundReader
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1), Minute = TimeSpan.FromMinutes(1);

    /// <summary>The bound of <paramref name="expression"/> at a moment; <paramref name="constants"/> are the params that hold a constant.</summary>
    public static Func<DateTimeOffset, AudienceBound> Read(Expression expression, IReadOnlyDictionary<ParameterExpression, object?> constants) =>
        new Reader(constants).Bound(expression);

    /// <summary>The whole numbers a fact is known to lie in; null ends are open.</summary>
    private readonly record struct Range(long? Least, long? Most)
    {
        public Range And(Range other) => new(Max(Least, other.Least), Min(Most, other.Most));

        private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

        private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
    }

    private sealed class Reader(IReadOnlyDictionary<ParameterExpression, object?> constants)
    {
        private static readonly Func<DateTimeOffset, AudienceBound> Everyone = _ => AudienceBound.Everyone;

        private static readonly (Type Facts, string Member)[] RangedFacts =
        [
            (typeof(StatsFacts), nameof(StatsFacts.OrderCount)), (typeof(StatsFacts), nameof(StatsFacts.DaysSinceLastOrder)),
            (typeof(CustomerFacts), nameof(CustomerFacts.PointsExpiring)), (typeof(CustomerFacts), nameof(CustomerFacts.PointsExpiringInDays)),
            (typeof(CustomerFacts), nameof(CustomerFacts.CouponExpiringInDays)), (typeof(CustomerFacts), nameof(CustomerFacts.CouponExpiringHeldDays)),
        ];

        public Func<DateTimeOffset, AudienceBound> Bound(Expression node)
        {
            if (node.NodeType is ExpressionType.OrElse or ExpressionType.Or && node.Type == typeof(bool))
            {
                var (left, right) = (Bound(((BinaryExpression)node).Left), Bound(((BinaryExpression)node).Right));
                return now => AudienceBound.Or(left(now), right(now));
            }
            // A conjunction: its comparisons of a ranged fact narrow that fact's range; its other parts bound on their own.
            var ranges = new Dictionary<string, Range>(StringComparer.Ordinal);
            var others = new List<Func<DateTimeOffset, AudienceBound>>();
            foreach (var part in Conjuncts(node))
            {
                if (RangeOf(part) is var (member, range)) ranges[member] = ranges.TryGetValue(member, out var before) ? before.And(range) : range;
                else others.Add(Single(part));
            }
            others.AddRange(FromRanges(ranges));
            return now => others.Aggregate(AudienceBound.Everyone, (bound, part) => AudienceBound.And(bound, part(now)));
        }

        private static IEnumerable<Expression> Conjuncts(Expression node) =>
            node.NodeType is ExpressionType.AndAlso or ExpressionType.And && node.Type == typeof(bool)
                ? Conjuncts(((BinaryExpression)node).Left).Concat(Conjuncts(((BinaryExpression)node).Right))
                : [node];

        /// <summary>A part that is not a comparison of a ranged fact: a disjunction, a birthday, a tier, or what is not understood.</summary>
        private Func<DateTimeOffset, AudienceBound> Single(Expression node)
        {
            if (node.NodeType is ExpressionType.OrElse or ExpressionType.Or && node.Type == typeof(bool)) return Bound(node);
            if (IsFact(node, typeof(NowFacts), nameof(NowFacts.IsBirthday))) return Birthday;
            if (node is not BinaryExpression binary || Compared(binary) is not var (fact, operation, value)) return Everyone;
            if (IsFact(fact, typeof(NowFacts), nameof(NowFacts.IsBirthday)))
                return (operation, value) is (ExpressionType.Equal, true) or (ExpressionType.NotEqual, false) ? Birthday : Everyone;
            if (Entered(fact, operation, value) is { } entered) return entered;
            if (IsFact(fact, typeof(CustomerFacts), nameof(CustomerFacts.Tier)))
                return (operation, value) is (ExpressionType.NotEqual, "") || (operation == ExpressionType.Equal && value is string { Length: > 0 })
                    ? _ => new AudienceBound.InTier() : Everyone;
            return Everyone;
        }

        /// <summary>
        /// Time in the journey at least a number of hours or days (<c>&gt;</c>, <c>&gt;=</c> or <c>==</c>): the instance
        /// entered that long ago or earlier, loosened by a minute. These facts are fractions, not whole numbers.
        /// </summary>
        private static Func<DateTimeOffset, AudienceBound>? Entered(Expression fact, ExpressionType operation, object? value)
        {
            if (operation is not (ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual or ExpressionType.Equal) || Number(value) is not { } number
                || number < 0) return null;
            var unit = IsFact(fact, typeof(JourneyFacts), nameof(JourneyFacts.HoursSinceEntry)) ? 1.0 / 24
                : IsFact(fact, typeof(JourneyFacts), nameof(JourneyFacts.DaysSinceEntry)) ? 1.0 : (double?)null;
            // Longer than a century in the journey selects nobody real; it is left unbounded rather than reach before year 1.
            if (unit is not { } days || number * days > 36500) return null;
            return now => new AudienceBound.EnteredAtOrBefore(now - TimeSpan.FromDays(number * days) + Minute);
        }

        /// <summary>The fact a comparison of a ranged fact with a number reads, and the whole numbers it allows.</summary>
        private (string Member, Range Range)? RangeOf(Expression node)
        {
            if (node is not BinaryExpression binary || Compared(binary) is not var (fact, operation, value) || Number(value) is not { } number) return null;
            if (Unwrap(fact) is not MemberExpression { Expression: ParameterExpression parameter } access
                || !RangedFacts.Contains((parameter.Type, access.Member.Name))) return null;
            var range = operation switch
            {
                ExpressionType.GreaterThan => new Range(Whole(Math.Floor(number) + 1), null),
                ExpressionType.GreaterThanOrEqual => new Range(Whole(Math.Ceiling(number)), null),
                ExpressionType.LessThan => new Range(null, Whole(Math.Ceiling(number) - 1)),
                ExpressionType.LessThanOrEqual => new Range(null, Whole(Math.Floor(number))),
                ExpressionType.Equal => new Range(Whole(Math.Ceiling(number)), Whole(Math.Floor(number))),
                _ => (Range?)null,
            };
            return range is { } r ? (access.Member.Name, r) : null;
        }

        private static long? Whole(double value) => value is > -1e15 and < 1e15 ? (long)value : null;

        /// <summary>
        /// What the ranges imply. Every fact read here is -1 or 0 for a customer without the thing it measures, so a
        /// range selects only when its least end rules that out: an upper end alone leaves everyone in.
        /// </summary>
        private static IEnumerable<Func<DateTimeOffset, AudienceBound>> FromRanges(Dictionary<string, Range> ranges)
        {
            if (ranges.TryGetValue(nameof(StatsFacts.OrderCount), out var orders) && orders.Least is >= 1 and var least)
                yield return _ => new AudienceBound.OrderCountAtLeast((int)Math.Min(least, int.MaxValue));
            // Whole days since the last order ≥ N: the order is at least N days old.
            if (ranges.TryGetValue(nameof(StatsFacts.DaysSinceLastOrder), out var days) && days.Least is >= 1 and var dormant)
                yield return now => new AudienceBound.LastOrderAtOrBefore(now - (dormant - 1) * Day);
            // Points expiring ≥ 1 means a lot with points left lapses after now: its days to lapse are ≥ 0.
            var points = ranges.GetValueOrDefault(nameof(CustomerFacts.PointsExpiringInDays));
            if (ranges.TryGetValue(nameof(CustomerFacts.PointsExpiring), out var expiring) && expiring.Least >= 1) points = points.And(new Range(0, null));
            if (Expiring(points) is var (lotsAfter, lotsBefore)) yield return now => new AudienceBound.PointsExpiringBetween(now + lotsAfter, now + lotsBefore);
            // Both coupon facts are of one code, the first to expire: held N days or more, it was issued N days ago or earlier.
            var coupon = ranges.GetValueOrDefault(nameof(CustomerFacts.CouponExpiringInDays));
            var held = ranges.GetValueOrDefault(nameof(CustomerFacts.CouponExpiringHeldDays));
            if (held.Least >= 0) coupon = coupon.And(new Range(0, null));
            if (Expiring(coupon) is var (codesAfter, codesBefore))
                yield return now => new AudienceBound.CouponExpiringBetween(now + codesAfter, now + codesBefore, held.Least is >= 1 and var days ? now - (days - 1) * Day : null);
        }

        /// <summary>
        /// Whole days until the first of a customer's lots (or codes) lapses, from N to M: one lapses at or after N days
        /// from now and before M + 1 days (each end a day looser), as offsets from now.
        /// </summary>
        private static (TimeSpan After, TimeSpan? Before)? Expiring(Range range) =>
            range.Least is >= 0 and var least ? ((least - 1) * Day, range.Most is { } most ? (Math.Min(most, 36500) + 2) * Day : null) : null;

        /// <summary>A customer's local date is the UTC date, the day before or the day after; 29 February is kept on the 28th.</summary>
        private static AudienceBound Birthday(DateTimeOffset now)
        {
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var days = new[] { today.AddDays(-1), today, today.AddDays(1) }.Select(d => d.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList();
            if (days.Contains("02-28")) days.Add("02-29");
            return new AudienceBound.BirthdayOn(days);
        }

        /// <summary>A comparison of something with a constant, turned so the constant is on the right.</summary>
        private (Expression Fact, ExpressionType Operation, object? Value)? Compared(BinaryExpression node)
        {
            if (node.NodeType is not (ExpressionType.Equal or ExpressionType.NotEqual or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual
                or ExpressionType.LessThan or ExpressionType.LessThanOrEqual)) return null;
            if (Constant(node.Right, out var right)) return (Unwrap(node.Left), node.NodeType, right);
            if (Constant(node.Left, out var left)) return (Unwrap(node.Right), Flipped(node.NodeType), left);
            return null;
        }

        private bool Constant(Expression node, out object? value)
        {
            node = Unwrap(node);
            switch (node)
            {
                case ConstantExpression constant:
                    value = constant.Value;
                    return true;
                case ParameterExpression parameter when constants.TryGetValue(parameter, out var held):
                    value = held;
                    return true;
                default:
                    value = null;
                    return false;
            }
        }

        private static double? Number(object? value) => value switch
        {
            int i => i, long l => l, double d when double.IsFinite(d) => d, decimal m => (double)m, float f when float.IsFinite(f) => f,
            _ => null,
        };

        private static ExpressionType Flipped(ExpressionType operation) => operation switch
        {
            ExpressionType.GreaterThan => ExpressionType.LessThan,
            ExpressionType.GreaterThanOrEqual => ExpressionType.LessThanOrEqual,
            ExpressionType.LessThan => ExpressionType.GreaterThan,
            ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
            _ => operation,
        };

        private static Expression Unwrap(Expression node)
        {
            while (node is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert) node = convert.Operand;
            return node;
        }

        private static bool IsFact(Expression node, Type facts, string member) =>
            Unwrap(node) is MemberExpression { Expression: ParameterExpression parameter } access && parameter.Type == facts && access.Member.Name == member;
    }
}

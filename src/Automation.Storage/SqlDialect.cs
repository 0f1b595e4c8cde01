using System.Data.Common;
using Dapper;

namespace Automation.Storage;

/// <summary>
/// Every way the SQL differs between the databases, one subclass per database, as Quartz.NET's <c>StdAdoDelegate</c>
/// has <c>SQLiteDelegate</c>. The statements are shared and ask their dialect for these pieces; the storage classes
/// only open connections. Every member is abstract so that a new database answers each difference for itself
/// instead of inheriting another database's answer, such as no row locks.
/// </summary>
public abstract class SqlDialect
{
    /// <summary><c>sqlite</c> or <c>postgres</c>: names the folder of migration scripts.</summary>
    public abstract string Name { get; }

    /// <summary>How many write transactions are worth running side by side.</summary>
    internal abstract int ConcurrentTransactions { get; }

    /// <summary>Ends a <c>SELECT</c> that reads rows the transaction will update, so concurrent writers take turns on them; empty where writers take turns anyway.</summary>
    internal abstract string RowLockClause { get; }

    /// <summary>Ends the <c>SELECT</c> that picks outbox rows to claim, so two dispatchers never claim one row.</summary>
    internal abstract string ClaimLockClause { get; }

    /// <summary>Rows per multi-row <c>INSERT … VALUES</c> (<see cref="SqlLists.Values{T}"/>).</summary>
    internal abstract int RowsPerStatement { get; }

    /// <summary>
    /// The rows an <c>INSERT</c> takes, after its column list, or a <c>WITH</c> reads as a table, all in one statement
    /// however many; <paramref name="types"/> are the columns' PostgreSQL types. Bound as a few parameters whatever the
    /// number of rows: binding one a cell was most of a write's cost on both databases.
    /// </summary>
    internal abstract string InsertRows<T>(IReadOnlyList<T> rows, Func<T, object?[]> cells, DynamicParameters parameters, params string[] types);

    /// <summary>
    /// A membership test against the whole list, bound as one parameter whatever its length, to follow a column:
    /// <c>WHERE id {InList("ids", ids, p)}</c>. One parameter instead of one per value: binding is what made long
    /// <c>IN</c> lists slow, and reads need no chunking.
    /// </summary>
    internal abstract string InList<T>(string name, IEnumerable<T> values, DynamicParameters parameters);

    /// <summary>
    /// <see cref="InList"/> for a table holding several rows a value, to be read by probing its key once a value.
    /// PostgreSQL plans <c>= ANY</c> over an array parameter there as a scan of the whole table (customer_products for
    /// a page of 2,000 customers: 59 ms, against 8 ms by its primary key at 400,000 customers); where a value has one
    /// row, <see cref="InList"/> plans better (this form for every list made ingestion slower).
    /// </summary>
    internal virtual string InListByKey<T>(string name, IEnumerable<T> values, DynamicParameters parameters) => InList(name, values, parameters);

    /// <summary>
    /// A column compared in a way no index serves, so a query that names another index's leading column is planned on
    /// that one: SQLite, without statistics, prefers an index on an equality (journey) to one on a range (customer id)
    /// even where the equality holds for half the table. PostgreSQL weighs both by its statistics: the column as it is.
    /// </summary>
    internal virtual string Unindexed(string column) => column;

    /// <summary>
    /// Statements that open a transaction's command and turn off just-in-time compilation for the rest of it; empty
    /// where there is none. PostgreSQL compiles a statement whose estimated cost passes <c>jit_above_cost</c>: a scan's
    /// selection, whose cost counts sub-plans per instance, passed it and spent ~440 ms compiling for ~30 ms
    /// of work a page.
    /// </summary>
    internal virtual string WithoutJit => "";

    /// <summary>
    /// Statements that open a transaction's command so that a <c>LIMIT</c>ed read follows its index's order instead of
    /// collecting every match to sort it; empty where the planner needs no telling. PostgreSQL, estimating a few due
    /// outbox rows from statistics taken before a broadcast queued thousands, read them all by bitmap and sorted them
    /// for every claim of a batch.
    /// </summary>
    internal virtual string IndexOrderFirst => "";

    /// <summary>
    /// What follows <c>FROM journey_instances i</c> so that <see cref="StepTaken"/> can ask of an instance's steps; empty
    /// where the test reads them itself.
    /// </summary>
    internal abstract string StepsTakenJoin { get; }

    /// <summary>Whether instance <c>i</c> has taken the step <paramref name="step"/> (a bound value) names, after <see cref="StepsTakenJoin"/>.</summary>
    internal abstract string StepTaken(string step);

    /// <summary>Days from <paramref name="earlier"/> to <paramref name="later"/> as a floating-point number.</summary>
    internal abstract string DaysBetweenSql(string later, string earlier);

    /// <summary>The aggregate that gathers a text column's values into one JSON array (<c>[]</c> over no rows).</summary>
    internal abstract string JsonArrayAggSql(string column);

    /// <summary>The UTC month of a time as year × 12 + month − 1, an integer.</summary>
    internal abstract string MonthIndexSql(string time);

    /// <summary>Runs before the migrations: creates the schema-version table when missing.</summary>
    internal abstract string CreateSchemaVersionTableSql { get; }

    /// <summary>Holds other nodes off while migrations run.</summary>
    internal abstract Task LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Releases <see cref="LockForMigrationAsync"/>.</summary>
    internal abstract Task UnlockAfterMigrationAsync(DbConnection connection, CancellationToken cancellationToken);
}

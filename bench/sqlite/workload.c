/* A SQL workload for `make bench` (section h): SQLite's amalgamation driven through its C API on
 * an in-memory database. Tables of customers and orders are filled in transactions with prepared
 * statements, indexed, queried by key, joined, grouped, updated and deleted from. Every result
 * row is folded into a 64-bit checksum, printed with per-step counts, so runs under different
 * engines can be compared byte for byte. No floating point reaches the output.
 *
 * Usage: workload [ORDERS]   (default 100000 orders, ORDERS / 10 customers) */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"

static sqlite3 *db;
static uint64_t checksum = 1469598103934665603ull; /* FNV-1a offset basis */
static uint64_t rng = 88172645463325252ull;

static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fold_bytes(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        checksum ^= b[i];
        checksum *= 1099511628211ull;
    }
}

static void die(const char *what) {
    fprintf(stderr, "workload: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "workload: %s: %s\n", sql, err);
        exit(1);
    }
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql);
    return st;
}

/* Steps a statement to the end, folding every column of every row (as text) into the checksum;
 * returns the number of rows. */
static long fold_rows(sqlite3_stmt *st) {
    long rows = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_count(st);
        for (int i = 0; i < n; i++) {
            const unsigned char *t = sqlite3_column_text(st, i);
            if (t)
                fold_bytes(t, (size_t)sqlite3_column_bytes(st, i));
            fold_bytes("|", 1);
        }
        rows++;
    }
    if (rc != SQLITE_DONE)
        die("step");
    return rows;
}

static long query(const char *sql) {
    sqlite3_stmt *st = prepare(sql);
    long rows = fold_rows(st);
    sqlite3_finalize(st);
    return rows;
}

static const char *const ITEMS[] = {
    "anvil", "bellows", "chisel", "drill", "easel", "file", "gimlet", "hammer",
    "iron", "jack", "knife", "ladder", "mallet", "nail", "oiler", "plane",
};

int main(int argc, char **argv) {
    long orders = argc > 1 ? atol(argv[1]) : 100000;
    long customers = orders / 10 > 0 ? orders / 10 : 1;
    const long batch = 10000;

    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        die("open");
    exec("PRAGMA cache_size = -65536");
    exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city INTEGER NOT NULL, "
         "since INTEGER NOT NULL)");
    exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER NOT NULL, item TEXT NOT NULL, "
         "qty INTEGER NOT NULL, price INTEGER NOT NULL, note TEXT)");

    /* Inserts, in transactions of `batch` rows. */
    sqlite3_stmt *ins = prepare("INSERT INTO customers (id, name, city, since) VALUES (?, ?, ?, ?)");
    char buf[128];
    exec("BEGIN");
    for (long i = 1; i <= customers; i++) {
        uint64_t r = next_rand();
        snprintf(buf, sizeof buf, "customer-%06ld-%c%c", i, 'a' + (int)(r % 26), 'a' + (int)(r / 26 % 26));
        sqlite3_bind_int64(ins, 1, i);
        sqlite3_bind_text(ins, 2, buf, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 3, (sqlite3_int64)(r >> 8) % 97);
        sqlite3_bind_int64(ins, 4, 2000 + (sqlite3_int64)(r >> 20) % 25);
        if (sqlite3_step(ins) != SQLITE_DONE)
            die("insert customer");
        sqlite3_reset(ins);
        if (i % batch == 0) {
            exec("COMMIT");
            exec("BEGIN");
        }
    }
    exec("COMMIT");
    sqlite3_finalize(ins);

    ins = prepare("INSERT INTO orders (customer, item, qty, price, note) VALUES (?, ?, ?, ?, ?)");
    exec("BEGIN");
    for (long i = 1; i <= orders; i++) {
        uint64_t r = next_rand();
        sqlite3_bind_int64(ins, 1, 1 + (sqlite3_int64)(r % (uint64_t)customers));
        sqlite3_bind_text(ins, 2, ITEMS[(r >> 24) % 16], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, 1 + (sqlite3_int64)(r >> 32) % 20);
        sqlite3_bind_int64(ins, 4, 100 + (sqlite3_int64)(r >> 40) % 9900);
        if ((r >> 60) == 0) {
            sqlite3_bind_null(ins, 5);
        } else {
            snprintf(buf, sizeof buf, "note %016llx", (unsigned long long)r);
            sqlite3_bind_text(ins, 5, buf, -1, SQLITE_TRANSIENT);
        }
        if (sqlite3_step(ins) != SQLITE_DONE)
            die("insert order");
        sqlite3_reset(ins);
        if (i % batch == 0) {
            exec("COMMIT");
            exec("BEGIN");
        }
    }
    exec("COMMIT");
    sqlite3_finalize(ins);
    printf("inserted %ld customers, %ld orders\n", customers, orders);

    exec("CREATE INDEX orders_customer ON orders (customer)");
    exec("CREATE INDEX orders_item_price ON orders (item, price)");
    exec("CREATE INDEX customers_city ON customers (city)");

    /* Point queries through the indexes. */
    sqlite3_stmt *q = prepare("SELECT count(*), sum(qty * price) FROM orders WHERE customer = ?");
    long lookups = orders / 5, rows = 0;
    for (long i = 0; i < lookups; i++) {
        sqlite3_bind_int64(q, 1, 1 + (sqlite3_int64)(next_rand() % (uint64_t)customers));
        rows += fold_rows(q);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    q = prepare("SELECT id, qty FROM orders WHERE item = ? AND price BETWEEN ? AND ? ORDER BY price, id");
    for (long i = 0; i < lookups / 10; i++) {
        uint64_t r = next_rand();
        sqlite3_int64 lo = 100 + (sqlite3_int64)(r % 9800);
        sqlite3_bind_text(q, 1, ITEMS[(r >> 32) % 16], -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, lo);
        sqlite3_bind_int64(q, 3, lo + 20);
        rows += fold_rows(q);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    printf("point queries: %ld rows\n", rows);

    /* A join with grouping, a group-by on text, and a correlated subquery. */
    printf("join by city: %ld rows\n",
           query("SELECT c.city, count(*), sum(o.qty * o.price), max(o.price) FROM orders o "
                 "JOIN customers c ON c.id = o.customer GROUP BY c.city ORDER BY c.city"));
    printf("group by item: %ld rows\n",
           query("SELECT item, count(*), sum(qty), min(price), max(price), count(note) FROM orders "
                 "GROUP BY item ORDER BY 2 DESC, item"));
    printf("top customers: %ld rows\n",
           query("SELECT c.name, t.total FROM customers c JOIN (SELECT customer, sum(qty * price) AS total "
                 "FROM orders GROUP BY customer) t ON t.customer = c.id ORDER BY t.total DESC, c.id LIMIT 50"));
    printf("since buckets: %ld rows\n",
           query("SELECT since, count(*), (SELECT count(*) FROM orders o WHERE o.customer = min(c.id)) "
                 "FROM customers c GROUP BY since ORDER BY since"));

    /* Updates and deletes, then a final scan. */
    exec("BEGIN");
    exec("UPDATE orders SET price = price + 1 WHERE price % 7 = 0");
    printf("updated %d\n", sqlite3_changes(db));
    exec("UPDATE customers SET city = (city + 1) % 97 WHERE since < 2005");
    printf("updated %d\n", sqlite3_changes(db));
    exec("DELETE FROM orders WHERE qty = 13 OR note IS NULL");
    printf("deleted %d\n", sqlite3_changes(db));
    exec("DELETE FROM customers WHERE id NOT IN (SELECT customer FROM orders)");
    printf("deleted %d\n", sqlite3_changes(db));
    exec("COMMIT");
    printf("final: %ld rows\n",
           query("SELECT c.city, count(DISTINCT c.id), count(*), sum(o.price), group_concat(DISTINCT o.item) "
                 "FROM customers c JOIN orders o ON o.customer = c.id GROUP BY c.city ORDER BY c.city"));
    query("SELECT count(*), sum(price), total(qty) FROM orders");

    sqlite3_close(db);
    printf("checksum %016llx\n", (unsigned long long)checksum);
    return 0;
}

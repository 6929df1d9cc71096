// The one table of the console: TanStack Table for sorting, per-column filters and column choice,
// TanStack Virtual so 10,000 rows scroll smoothly (only the visible rows are in the DOM), CSV export of
// exactly what is shown, and saved views (filters + sort + columns) in localStorage.
import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnFiltersState,
  type Row,
  type RowSelectionState,
  type SortingState,
  type VisibilityState,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { saveBlob } from "../api/client";
import { toCsv } from "../lib/format";
import { load, save } from "../lib/storage";
import { IconArrowDown, IconArrowUp, IconBookmark, IconColumns, IconDownload, IconFilter, IconTrash } from "./icons";
import { Empty, Menu } from "./ui";

export interface ColumnMeta {
  label?: string;
  numeric?: boolean;
  /** Value written to the CSV export (default: the accessor value). */
  exportValue?: (row: unknown) => unknown;
  /** No per-column filter box for this column. */
  noFilter?: boolean;
  grow?: number;
  hidden?: boolean; // hidden by default (can be shown from the column chooser)
}

declare module "@tanstack/react-table" {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData, TValue> {
    label?: string;
    numeric?: boolean;
    exportValue?: (row: TData) => unknown;
    noFilter?: boolean;
    grow?: number;
    hidden?: boolean;
  }
}

interface SavedView {
  name: string;
  filters: ColumnFiltersState;
  sorting: SortingState;
  visibility: VisibilityState;
}

export interface DataTableProps<T> {
  id: string;
  data: T[];
  columns: ColumnDef<T, any>[];
  getRowId: (row: T) => string;
  label: string;
  rowHeight?: number;
  maxHeight?: number | string;
  selectable?: boolean;
  selection?: RowSelectionState;
  onSelectionChange?: (next: RowSelectionState) => void;
  onRowClick?: (row: T) => void;
  activeRowId?: string | null;
  exportName?: string;
  toolbar?: ReactNode;
  empty?: ReactNode;
  footer?: ReactNode;
  filterRow?: boolean;
  initialSort?: SortingState;
}

function colLabel<T>(c: ColumnDef<T, any>): string {
  return c.meta?.label ?? (typeof c.header === "string" ? c.header : String(c.id ?? ""));
}

export function DataTable<T>(props: DataTableProps<T>) {
  const { id, data, columns, getRowId, label, rowHeight = 44, selectable, selection, onSelectionChange, onRowClick } = props;
  const storeKey = `hub.table.${id}`;
  const [sorting, setSorting] = useState<SortingState>(() => load(`${storeKey}.sort`, props.initialSort ?? []));
  const [filters, setFilters] = useState<ColumnFiltersState>([]);
  const [visibility, setVisibility] = useState<VisibilityState>(() => {
    const defaults: VisibilityState = {};
    for (const c of columns) if (c.meta?.hidden) defaults[String(c.id ?? (c as { accessorKey?: string }).accessorKey)] = false;
    return { ...defaults, ...load<VisibilityState>(`${storeKey}.columns`, {}) };
  });
  const [views, setViews] = useState<SavedView[]>(() => load(`${storeKey}.views`, []));
  const [showFilters, setShowFilters] = useState<boolean>(() => props.filterRow ?? load(`${storeKey}.filters-open`, false));
  useEffect(() => save(`${storeKey}.columns`, visibility), [storeKey, visibility]);
  useEffect(() => save(`${storeKey}.sort`, sorting), [storeKey, sorting]);
  useEffect(() => save(`${storeKey}.filters-open`, showFilters), [storeKey, showFilters]);

  const allColumns = useMemo<ColumnDef<T, any>[]>(() => {
    if (!selectable) return columns;
    const select: ColumnDef<T, any> = {
      id: "_select",
      size: 40,
      enableSorting: false,
      meta: { label: "Select", noFilter: true },
      header: ({ table }) => (
        <input type="checkbox" aria-label="Select all shown rows" checked={table.getIsAllRowsSelected()}
          ref={(el) => { if (el) el.indeterminate = table.getIsSomeRowsSelected(); }}
          onChange={table.getToggleAllRowsSelectedHandler()} data-testid="select-all" />
      ),
      cell: ({ row }) => (
        <input type="checkbox" aria-label="Select row" checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()}
          onClick={(e) => e.stopPropagation()} data-testid="select-row" />
      ),
      enableHiding: false,
    };
    return [select, ...columns];
  }, [columns, selectable]);

  const table = useReactTable({
    data,
    columns: allColumns,
    getRowId: (row) => getRowId(row),
    state: { sorting, columnFilters: filters, columnVisibility: visibility, rowSelection: selection ?? {} },
    onSortingChange: setSorting,
    onColumnFiltersChange: setFilters,
    onColumnVisibilityChange: setVisibility,
    enableRowSelection: !!selectable,
    onRowSelectionChange: (updater) => {
      if (!onSelectionChange) return;
      const next = typeof updater === "function" ? updater(selection ?? {}) : updater;
      onSelectionChange(next);
    },
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    defaultColumn: { filterFn: "includesString", size: 140 },
  });

  const rows = table.getRowModel().rows;
  const visible = table.getVisibleLeafColumns();
  const template = visible.map((c) => {
    const grow = c.columnDef.meta?.grow;
    return grow ? `minmax(${c.getSize()}px, ${grow}fr)` : `${c.getSize()}px`;
  }).join(" ");
  const minWidth = visible.reduce((sum, c) => sum + c.getSize(), 0);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  const headerHeight = 34 + (showFilters ? 36 : 0);
  const maxHeight = props.maxHeight ?? 560;
  const bodyHeight = rows.length * rowHeight;
  const height = typeof maxHeight === "number" ? Math.min(maxHeight, bodyHeight + headerHeight + 2) : undefined;

  const exportView = () => {
    const cols = visible.filter((c) => c.id !== "_select");
    const header = cols.map((c) => colLabel(c.columnDef));
    const body = rows.map((r) => cols.map((c) => {
      const ev = c.columnDef.meta?.exportValue;
      return ev ? ev(r.original) : r.getValue(c.id);
    }));
    const name = `${props.exportName ?? id}-${new Date().toISOString().slice(0, 10)}.csv`;
    saveBlob(new Blob([toCsv(header, body)], { type: "text/csv;charset=utf-8" }), name);
  };

  const saveView = () => {
    const name = window.prompt("Name this view (filters, sort and columns)")?.trim();
    if (!name) return;
    const next = [...views.filter((v) => v.name !== name), { name, filters, sorting, visibility }];
    setViews(next);
    save(`${storeKey}.views`, next);
  };
  const applyView = (v: SavedView) => {
    setFilters(v.filters);
    setSorting(v.sorting);
    setVisibility(v.visibility);
    if (v.filters.length) setShowFilters(true);
  };
  const deleteView = (name: string) => {
    const next = views.filter((v) => v.name !== name);
    setViews(next);
    save(`${storeKey}.views`, next);
  };

  const activeFilters = filters.filter((f) => f.value !== "" && f.value !== undefined).length;

  return (
    <div data-testid={`${id}-table`} className="dt">
      <div className="table-tools">
        {props.toolbar}
        <span className="grow" />
        <span className="muted small num" data-testid={`${id}-count`} aria-live="polite">
          {rows.length === data.length ? `${data.length.toLocaleString("en-US")} rows` : `${rows.length.toLocaleString("en-US")} of ${data.length.toLocaleString("en-US")} rows`}
        </span>
        <button type="button" className="btn btn-sm" aria-pressed={showFilters} onClick={() => setShowFilters((s) => !s)} data-testid={`${id}-filters`}>
          <IconFilter size={14} /> Filters{activeFilters ? ` (${activeFilters})` : ""}
        </button>
        <Menu label="Choose columns" testid={`${id}-columns`} button={<><IconColumns size={14} /> Columns</>}>
          {() => (
            <>
              <div className="menu-head">Columns shown</div>
              {table.getAllLeafColumns().filter((c) => c.getCanHide() && c.id !== "_select").map((c) => (
                <label key={c.id}><input type="checkbox" checked={c.getIsVisible()} onChange={c.getToggleVisibilityHandler()} /> {colLabel(c.columnDef)}</label>
              ))}
            </>
          )}
        </Menu>
        <Menu label="Saved views" testid={`${id}-views`} button={<><IconBookmark size={14} /> Views</>}>
          {(close) => (
            <>
              <button type="button" data-testid={`${id}-save-filter`} onClick={() => { close(); saveView(); }}>Save current view…</button>
              {views.length > 0 && <hr />}
              {views.map((v) => (
                <div key={v.name} className="row" style={{ gap: 0 }}>
                  <button type="button" onClick={() => { applyView(v); close(); }}>{v.name}</button>
                  <button type="button" aria-label={`Delete view ${v.name}`} style={{ width: "auto" }} onClick={() => deleteView(v.name)}><IconTrash size={14} /></button>
                </div>
              ))}
              {(activeFilters > 0 || sorting.length > 0) && <><hr /><button type="button" onClick={() => { setFilters([]); setSorting([]); close(); }}>Clear filters and sort</button></>}
            </>
          )}
        </Menu>
        <button type="button" className="btn btn-sm" onClick={exportView} data-testid={`${id}-export-view`} title="Download the rows shown, as CSV">
          <IconDownload size={14} /> Export view
        </button>
      </div>
      <div ref={scrollRef} className="vscroll" style={{ height, maxHeight: typeof maxHeight === "string" ? maxHeight : undefined }}
        role="table" aria-label={label} aria-rowcount={rows.length + 1} tabIndex={0}>
        <div className="vtable" style={{ minWidth }}>
          <div className="vhead" role="rowgroup">
            {table.getHeaderGroups().map((group) => (
              <div key={group.id} className="vhead-row" role="row" style={{ gridTemplateColumns: template }}>
                {group.headers.map((h) => {
                  const sorted = h.column.getIsSorted();
                  const numeric = h.column.columnDef.meta?.numeric;
                  return (
                    <div key={h.id} className={`vcell${numeric ? " right" : ""}`} role="columnheader"
                      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}>
                      {h.column.getCanSort() ? (
                        <button type="button" className="sort btn-ghost" onClick={h.column.getToggleSortingHandler()}>
                          {flexRender(h.column.columnDef.header, h.getContext())}
                          {sorted === "asc" ? <IconArrowUp size={12} /> : sorted === "desc" ? <IconArrowDown size={12} /> : null}
                        </button>
                      ) : flexRender(h.column.columnDef.header, h.getContext())}
                    </div>
                  );
                })}
              </div>
            ))}
            {showFilters && (
              <div className="vhead-row vfilter" role="row" style={{ gridTemplateColumns: template }}>
                {visible.map((c) => (
                  <div key={c.id} className="vcell" role="cell">
                    {c.getCanFilter() && !c.columnDef.meta?.noFilter && c.id !== "_select" ? (
                      <input type="search" aria-label={`Filter ${colLabel(c.columnDef)}`} placeholder="Filter…"
                        value={(c.getFilterValue() as string) ?? ""} onChange={(e) => c.setFilterValue(e.target.value)} data-testid={`${id}-filter-${c.id}`} />
                    ) : null}
                  </div>
                ))}
              </div>
            )}
          </div>
          <div role="rowgroup" style={{ height: bodyHeight, position: "relative" }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row: Row<T> = rows[item.index];
              const rid = row.id;
              return (
                <div key={rid} className="vrow" role="row" aria-rowindex={item.index + 2} data-testid={`${id}-row`} data-id={rid}
                  aria-selected={row.getIsSelected() || props.activeRowId === rid ? true : undefined}
                  style={{ gridTemplateColumns: template, height: rowHeight, transform: `translateY(${item.start}px)`, cursor: onRowClick ? "pointer" : undefined }}
                  onClick={onRowClick ? () => onRowClick(row.original) : undefined}
                  tabIndex={onRowClick ? 0 : undefined}
                  onKeyDown={onRowClick ? (e) => { if ((e.key === "Enter" || e.key === " ") && e.target === e.currentTarget) { e.preventDefault(); onRowClick(row.original); } } : undefined}>
                  {row.getVisibleCells().map((cell) => (
                    <div key={cell.id} role="cell" className={`vcell${cell.column.columnDef.meta?.numeric ? " right num" : ""}`}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </div>
                  ))}
                </div>
              );
            })}
          </div>
        </div>
        {rows.length === 0 && (props.empty ?? <Empty title={data.length ? "No rows match the filters" : "Nothing here yet"} />)}
      </div>
      {props.footer && <div className="table-foot">{props.footer}</div>}
    </div>
  );
}

import { QueryClient, keepPreviousData } from "@tanstack/react-query";
import { ApiError } from "./errors";

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      gcTime: 10 * 60_000,
      placeholderData: keepPreviousData,
      refetchOnWindowFocus: true,
      retry: (count, error) => error instanceof ApiError && error.isOutage && count < 2,
      retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 8000),
    },
    mutations: { retry: false },
  },
});

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

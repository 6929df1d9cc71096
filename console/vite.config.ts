import { existsSync, readFileSync } from "node:fs";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Where `npm run dev` sends API calls: a running gateway (make dev: 5400).
const api = process.env.CONSOLE_API ?? "http://127.0.0.1:5400";
// Development only: a gateway API token (python -m gateway tokens create ...) added to proxied calls, so
// the signed-in pages work against a stack without a sign-in provider. Never used by the built app.
const devTokenFile = process.env.CONSOLE_DEV_TOKEN_FILE;
const devToken = () => process.env.CONSOLE_DEV_TOKEN ?? (devTokenFile && existsSync(devTokenFile) ? readFileSync(devTokenFile, "utf8").trim() : "");

const proxy = {
  target: api,
  changeOrigin: false,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  configure: (p: any) => {
    p.on("proxyReq", (req: { setHeader: (k: string, v: string) => void }) => {
      const token = devToken();
      if (token) req.setHeader("Authorization", `Bearer ${token}`);
    });
  },
};

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
    chunkSizeWarningLimit: 600,
  },
  server: { port: 5173, proxy: { "/api": proxy, "/openapi.json": proxy, "/docs": proxy } },
  preview: { port: 4173, proxy: { "/api": proxy, "/openapi.json": proxy, "/docs": proxy } },
  test: { environment: "node", include: ["test/**/*.test.ts"] },
});

from ninja import NinjaAPI

api = NinjaAPI(title="renrakucho API", version="1", urls_namespace="api")

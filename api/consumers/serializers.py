"""Shapes of the consumer's own lists."""

from rest_framework import serializers

from api.places.serializers import PlaceCardSerializer, PlaceCategorySerializer


class FavoriteInputSerializer(serializers.Serializer):
    place = serializers.IntegerField(min_value=1, help_text="The place's id.")


class FavoriteSerializer(serializers.Serializer):
    place = PlaceCardSerializer()
    created_at = serializers.DateTimeField(help_text="When it became a favorite.")


class RecentlyViewedSerializer(serializers.Serializer):
    place = PlaceCardSerializer()
    viewed_at = serializers.DateTimeField()


class FavoriteCategoriesInputSerializer(serializers.Serializer):
    categories = serializers.ListField(
        child=serializers.SlugField(max_length=80), allow_empty=True, max_length=200, help_text="Category slugs."
    )


class FavoriteCategoriesSerializer(serializers.Serializer):
    categories = PlaceCategorySerializer(many=True)
